namespace S4Seg.Tests {

/// <summary>Config: typed values, text values, parsing, cloning and key errors.</summary>
static class ConfigTests {
  [Test]
  public static void TypedValuesRoundTrip() {
    using (var config = new Config()) {
      config.SetInt("model.width", 16);
      config.SetDouble("train.lr", 0.025);
      config.SetBool("train.flip", false);
      config.SetString("model.backbone", "resnet34");
      Check.Equal(16L, config.GetInt("model.width"), "int key");
      Check.Equal(0.025, config.GetDouble("train.lr"), "double key");
      Check.Equal(false, config.GetBool("train.flip"), "bool key");
      Check.Equal("resnet34", config.GetString("model.backbone"), "string key");
      config.SetInt("train.lr", 1);  // a double key accepts an int
      Check.Equal(1.0, config.GetDouble("train.lr"), "double key set from an int");
    }
  }

  [Test]
  public static void TextValuesConvertToTheKeyType() {
    using (var config = new Config()) {
      config.Set("model.num_classes", "5");
      config.Set("train.flip", "true");
      Check.Equal(5L, config.GetInt("model.num_classes"), "int from text");
      Check.Equal(true, config.GetBool("train.flip"), "bool from text");
      Check.Equal("5", config.GetString("model.num_classes"), "any key reads back as text");
    }
  }

  [Test]
  public static void ParseSetsEveryLineOrNothing() {
    using (var config = new Config()) {
      config.Parse("# tiny\nmodel.width = 8\n\ntrain.iters = \"12\"\n");
      Check.Equal(8L, config.GetInt("model.width"), "model.width after parse");
      Check.Equal(12L, config.GetInt("train.iters"), "train.iters after parse");
      Check.Throws(Status.InvalidArgument, "line 2", () => config.Parse("model.width = 16\nno.such.key = 1\n"));
      Check.Equal(8L, config.GetInt("model.width"), "model.width after a failed parse");
    }
  }

  [Test]
  public static void CloneIsIndependent() {
    using (var config = new Config()) {
      config.SetInt("model.width", 16);
      using (var copy = config.Clone()) {
        copy.SetInt("model.width", 32);
        Check.Equal(16L, config.GetInt("model.width"), "original after changing the clone");
        Check.Equal(32L, copy.GetInt("model.width"), "clone");
      }
    }
  }

  [Test]
  public static void UnknownKeysAndBadValuesThrowInvalidArgument() {
    using (var config = new Config()) {
      Check.Throws(Status.InvalidArgument, "no.such.key", () => config.SetInt("no.such.key", 1));
      Check.Throws(Status.InvalidArgument, "no.such.key", () => config.GetInt("no.such.key"));
      Check.Throws(Status.InvalidArgument, "no.such.key", () => config.GetString("no.such.key"));
      Check.Throws(Status.InvalidArgument, "model.num_classes", () => config.SetInt("model.num_classes", 1000));
      Check.Throws(Status.InvalidArgument, "model.width", () => config.GetBool("model.width"));
      Check.Throws(Status.InvalidArgument, "model.backbone", () => config.SetString("model.backbone", "vgg"));
      Check.Equal("resnet50", config.GetString("model.backbone"), "a rejected value leaves the key unchanged");
    }
  }
}

}

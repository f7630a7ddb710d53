using System.Linq;

namespace S4Seg.Tests {

/// <summary>A tiny, fast model and synthetic data shared by the tests.</summary>
static class Tiny {
  public const int Classes = 3;
  public const int Side = 32;

  public const string Keys = @"
    device = cpu
    model.backbone = resnet18
    model.width = 8
    model.output_stride = 16
    model.aspp_channels = 16
    model.low_level_channels = 8
    model.num_classes = 3
    train.method = supervised
    train.iters = 4
    train.batch_size = 2
    train.crop_size = 32
    train.seed = 1
    train.threads = 1
    train.workers = 0
    train.log_every = 1";

  /// <summary>The tiny model's config; <paramref name="iterations"/> sets train.iters.</summary>
  public static Config Config(long iterations = 4) {
    var config = new Config();
    config.Parse(Keys);
    config.SetInt("train.iters", iterations);
    return config;
  }

  /// <summary><paramref name="count"/> synthetic samples with masks.</summary>
  public static Dataset Data(long count, ulong seed) {
    var dataset = new Dataset();
    dataset.AddSynthetic(count, Side, Side, Classes, seed);
    return dataset;
  }

  /// <summary>An untrained tiny model.</summary>
  public static Model UntrainedModel() {
    using (var config = Config()) return new Model(config);
  }

  /// <summary>A model trained for <paramref name="iterations"/> iterations.</summary>
  public static Model TrainedModel(long iterations = 2) {
    using (var config = Config(iterations))
    using (var data = Data(8, 1)) {
      var model = new Model(config);
      using (var trainer = new Trainer(model, data, config)) trainer.Step(iterations);
      return model;
    }
  }

  /// <summary>The pixels of sample <paramref name="index"/> of a fresh synthetic set.</summary>
  public static byte[] Pixels(ulong seed = 7, long index = 0) {
    using (var data = Data(index + 1, seed))
    using (var image = data.GetImage(index)) return image.GetData();
  }

  /// <summary>Pixels of one image that hold the same value <paramref name="value"/>.</summary>
  public static byte[] Flat(int width, int height, int channels, byte value) =>
      Enumerable.Repeat(value, width * height * channels).ToArray();
}

}

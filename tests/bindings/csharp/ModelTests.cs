using System;
using System.IO;
using System.Linq;

namespace S4Seg.Tests {

/// <summary>Model: predict, batches, save/load, evaluate and bad input.</summary>
static class ModelTests {
  [Test]
  public static void FlopsAndDeviceMemoryAreReported() {
    using (var model = Tiny.UntrainedModel()) {
      double small = model.Flops(32, 32), large = model.Flops(64, 64);
      Check.True(small > 0 && large > 3.9 * small && large <= 4.0 * small, "FLOPs grow with the pixel count");
    }
    ulong current = S4SegLibrary.DeviceMemoryCurrent("cpu");  // first: the peak read later covers it
    Check.True(current > 0, "the process has resident memory");
    Check.True(S4SegLibrary.DeviceMemoryPeak("cpu") >= current, "peak >= current");
  }

  [Test]
  public static void PredictGivesOneClassPerPixel() {
    byte[] pixels = Tiny.Pixels();
    using (var model = Tiny.TrainedModel()) {
      byte[] labels = model.Predict(pixels, Tiny.Side, Tiny.Side, 3);
      Check.Equal(Tiny.Side * Tiny.Side, labels.Length, "labels per image");
      Check.True(labels.All(label => label < model.NumClasses), "every label is a class index");

      var intoLabels = new byte[labels.Length];
      var confidence = new float[labels.Length];
      model.PredictInto(pixels, Tiny.Side, Tiny.Side, 3, intoLabels, confidence);
      Check.SameElements(labels, intoLabels, "labels written into a caller array");
      Check.True(confidence.All(p => p >= 1.0f / Tiny.Classes - 1e-6f && p <= 1.0f),
                 "top-class probabilities lie in [1/classes, 1]");
    }
  }

  [Test]
  public static void BatchPredictionMatchesSinglePredictions() {
    byte[] first = Tiny.Pixels(7, 0), second = Tiny.Pixels(7, 1);
    using (var model = Tiny.TrainedModel()) {
      var labels = new byte[2 * Tiny.Side * Tiny.Side];
      model.PredictBatchInto(first.Concat(second).ToArray(), 2, Tiny.Side, Tiny.Side, 3, labels, null);
      Check.SameElements(model.Predict(first, Tiny.Side, Tiny.Side, 3), labels.Take(labels.Length / 2).ToArray(), "first image");
      Check.SameElements(model.Predict(second, Tiny.Side, Tiny.Side, 3), labels.Skip(labels.Length / 2).ToArray(), "second image");
      Check.Throws(Status.InvalidArgument, "image buffer", () => model.PredictBatchInto(first, 2, Tiny.Side, Tiny.Side, 3, labels, null));
    }
  }

  [Test]
  public static void SavedAndLoadedModelsPredictAlike() {
    byte[] pixels = Tiny.Pixels();
    string path = Path.Combine(TestRunner.TempFolder, "model.s4seg");
    var expectedConfidence = new float[Tiny.Side * Tiny.Side];
    var expectedLabels = new byte[Tiny.Side * Tiny.Side];
    using (var model = Tiny.TrainedModel()) {
      model.PredictInto(pixels, Tiny.Side, Tiny.Side, 3, expectedLabels, expectedConfidence);
      model.Save(path);
    }
    using (var loaded = Model.Load(path, "cpu"))
    using (var config = loaded.GetConfig()) {
      var labels = new byte[expectedLabels.Length];
      var confidence = new float[expectedConfidence.Length];
      loaded.PredictInto(pixels, Tiny.Side, Tiny.Side, 3, labels, confidence);
      Check.SameElements(expectedLabels, labels, "labels of the loaded model");
      Check.SameElements(expectedConfidence, confidence, "confidences of the loaded model");
      Check.Equal(Tiny.Classes, loaded.NumClasses, "classes of the loaded model");
      Check.Equal("cpu", loaded.Device, "device of the loaded model");
      Check.Equal(8L, config.GetInt("model.width"), "config of the loaded model");
    }
  }

  [Test]
  public static void EvaluationScoresLieInRange() {
    using (var model = Tiny.TrainedModel())
    using (var data = Tiny.Data(4, 2)) {
      Evaluation evaluation = model.Evaluate(data);
      Check.InRange(0, 1, evaluation.Miou, "mIoU");
      Check.InRange(0, 1, evaluation.PixelAccuracy, "pixel accuracy");
      Check.Equal(Tiny.Classes, evaluation.ClassIou.Count, "IoU per class");
      Check.True(evaluation.ClassIou.All(iou => double.IsNaN(iou) || (iou >= 0 && iou <= 1)), "class IoUs are NaN or in [0, 1]");
      var present = evaluation.ClassIou.Where(iou => !double.IsNaN(iou)).ToList();
      Check.Near(present.Average(), evaluation.Miou, 1e-9, "mIoU is the mean of the present classes' IoU");
    }
  }

  [Test]
  public static void WrongBufferSizesThrowInvalidArgument() {
    byte[] pixels = Tiny.Pixels();
    int side = Tiny.Side;
    using (var model = Tiny.UntrainedModel()) {
      Check.Throws(Status.InvalidArgument, $"image has {pixels.Length - 1} elements, expected {pixels.Length}",
                   () => model.Predict(pixels.Take(pixels.Length - 1).ToArray(), side, side, 3));
      Check.Throws(Status.InvalidArgument, "image has 3072 elements, expected 1024", () => model.Predict(pixels, side, side, 1));
      Check.Throws(Status.InvalidArgument, "image is null", () => model.Predict(null, side, side, 3));
      Check.Throws(Status.InvalidArgument, "label buffer has 10 elements", () => model.PredictInto(pixels, side, side, 3, new byte[10], null));
      Check.Throws(Status.InvalidArgument, "label buffer is null", () => model.PredictInto(pixels, side, side, 3, null, null));
      Check.Throws(Status.InvalidArgument, "confidence buffer has 3 elements",
                   () => model.PredictInto(pixels, side, side, 3, new byte[side * side], new float[3]));
      Check.Throws(Status.InvalidArgument, "dataset is null", () => model.Evaluate(null));
    }
  }

  /// <summary>A tiny model with <paramref name="lines"/> applied after the tiny config.</summary>
  static Model TinyModelWith(string lines) {
    using (var config = Tiny.Config()) {
      config.Parse(lines);
      return new Model(config);
    }
  }

  [Test]
  public static void SavedBackboneLoadsIntoAnotherModel() {
    string path = Path.Combine(TestRunner.TempFolder, "encoder.safetensors");
    using (var source = TinyModelWith("train.seed = 1"))
    using (var target = TinyModelWith("train.seed = 2")) {
      source.SaveBackbone(path);
      Check.Equal("", target.BackboneReport(), "report before any load");
      target.LoadBackbone(path);
      string report = target.BackboneReport();
      Check.True(report.StartsWith("loaded ", StringComparison.Ordinal), $"report after a load: {report}");
      Check.Throws(Status.Io, "", () => target.LoadBackbone(path + ".missing"));
      Check.Equal(report, target.BackboneReport(), "report after a failed load");
    }
  }

  [Test]
  public static void DeeperEncoderRefusesShallowWeightsUnlessPartial() {
    string path = Path.Combine(TestRunner.TempFolder, "resnet18.safetensors");
    using (var resnet18 = Tiny.UntrainedModel())
    using (var resnet34 = TinyModelWith("model.backbone = resnet34")) {
      resnet18.SaveBackbone(path);
      Check.Throws(Status.Format, "missing from the file", () => resnet34.LoadBackbone(path));
      resnet34.LoadBackbonePartial(path);
      string report = resnet34.BackboneReport();
      Check.True(report.StartsWith("loaded ", StringComparison.Ordinal), $"report after a partial load: {report}");
      Check.True(report.Contains("missing from the file"), $"partial load report: {report}");
    }
  }

  [Test]
  public static void ClassNamesAndPaletteComeFromTheConfig() {
    using (var model = TinyModelWith("model.num_classes = 21\nmodel.class_names = voc")) {
      Check.Equal("person", model.ClassName(15), "class 15");
      Check.Equal("background", model.ClassName(0), "class 0");
      var names = model.ClassNames();
      Check.Equal(21, names.Count, "class names");
      Check.Equal("person", names[15], "class names[15]");
      byte[] palette = model.Palette();
      Check.Equal(3 * 21, palette.Length, "palette bytes");
      Check.SameElements(new byte[] { 192, 128, 128 }, palette.Skip(45).Take(3).ToArray(), "colour of class 15");
      var into = new byte[3 * 21];
      model.PaletteInto(into);
      Check.SameElements(palette, into, "PaletteInto");
      Check.Throws(Status.InvalidArgument, "palette buffer has 62 elements, expected 63", () => model.PaletteInto(new byte[62]));
      Check.Throws(Status.InvalidArgument, "palette buffer is null", () => model.PaletteInto(null));
      Check.Throws(Status.InvalidArgument, "class index", () => model.ClassName(21));
      Check.Throws(Status.InvalidArgument, "class index", () => model.ClassName(-1));
    }
    using (var model = Tiny.UntrainedModel()) {
      Check.Equal(Tiny.Classes, model.ClassNames().Count, "default class names");
      Check.Equal(3 * Tiny.Classes, model.Palette().Length, "default palette");
    }
  }

  [Test]
  public static void MissingOrCorruptModelFilesThrow() {
    string missing = Path.Combine(TestRunner.TempFolder, "missing.s4seg");
    Check.Throws(Status.Io, "missing.s4seg", () => Model.Load(missing));
    string corrupt = Path.Combine(TestRunner.TempFolder, "corrupt.s4seg");
    File.WriteAllBytes(corrupt, Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
    Check.Throws(Status.Format, "", () => Model.Load(corrupt, "cpu"));
    using (var model = Tiny.UntrainedModel())
      Check.Throws(Status.Io, "", () => model.Save(Path.Combine(TestRunner.TempFolder, "no-such-folder", "model.s4seg")));
  }
}

}

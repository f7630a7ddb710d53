// The smallest complete C# host: configure, train a tiny model on synthetic data for a few
// iterations, save it, load it back, predict one image and print the mIoU of the loaded model.
// Every object is disposed by `using`; any failure is an S4SegException carrying the C status.
//   usage: mono S4SegSample.exe [FOLDER]   (the model file goes to a fresh folder inside FOLDER,
//          default the system temp folder, removed at the end)
using System;
using System.IO;
using System.Linq;
using S4Seg;

static class S4SegSample {
  const int Classes = 3;
  const int Side = 32;
  const long StepSize = 2;

  const string TinyModel = @"
    device = cpu
    model.backbone = resnet18
    model.width = 8
    model.output_stride = 16
    model.aspp_channels = 16
    model.low_level_channels = 8
    model.num_classes = 3
    train.method = supervised
    train.iters = 6
    train.batch_size = 2
    train.crop_size = 32
    train.seed = 1
    train.threads = 1
    train.workers = 0";

  static int Main(string[] args) {
    string folder = Path.Combine(args.Length > 0 ? args[0] : Path.GetTempPath(), "s4seg-sample-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(folder);
    try {
      Run(Path.Combine(folder, "sample.s4seg"));
      return 0;
    } catch (S4SegException e) {
      Console.Error.WriteLine($"s4seg failed: {e.Status} ({e.Code}): {e.Message}");
      return 1;
    } finally {
      Directory.Delete(folder, true);
    }
  }

  static void Run(string modelPath) {
    Console.WriteLine($"s4seg {S4SegLibrary.Version}, LibTorch {S4SegLibrary.BackendVersion}");
    using (var config = new Config())
    using (var train = new Dataset())
    using (var validation = new Dataset()) {
      config.Parse(TinyModel);
      train.AddSynthetic(16, Side, Side, Classes, 1);
      validation.AddSynthetic(4, Side, Side, Classes, 2);

      using (var model = new Model(config))
      using (var trainer = new Trainer(model, train, config)) {
        // The host drives training: a few iterations per call, until train.iters.
        long total = config.GetInt("train.iters");
        while (trainer.Iteration < total) {
          TrainStats stats = trainer.Step(StepSize);
          Console.WriteLine($"iteration {stats.Iteration}/{stats.TotalIterations}  loss {stats.Loss:F4}  {stats.ImagesPerSecond:F1} images/s");
        }
        model.Save(modelPath);
      }

      using (var loaded = Model.Load(modelPath, "cpu"))
      using (var image = validation.GetImage(0)) {
        byte[] labels = loaded.Predict(image.GetData(), image.Width, image.Height, image.Channels);
        var perClass = Enumerable.Range(0, loaded.NumClasses).Select(c => labels.Count(label => label == c));
        Console.WriteLine($"predicted a {image.Width}x{image.Height} label map with the loaded model; pixels per class: {string.Join(" ", perClass)}");
        Evaluation evaluation = loaded.Evaluate(validation);
        Console.WriteLine($"validation mIoU {evaluation.Miou:F4}, pixel accuracy {evaluation.PixelAccuracy:F4}");
      }
    }
  }
}

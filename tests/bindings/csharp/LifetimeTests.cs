using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace S4Seg.Tests {

/// <summary>Dispose, use after Dispose, and handles kept alive by their users.</summary>
static class LifetimeTests {
  /// <summary>One of each handle class, freshly created.</summary>
  static List<IDisposable> OneOfEach() {
    var model = Tiny.UntrainedModel();
    var data = Tiny.Data(2, 1);
    using (var config = Tiny.Config()) {
      return new List<IDisposable> {
        Tiny.Config(), new Image(Tiny.Flat(2, 2, 1, 0), 2, 2, 1), data, model, new Trainer(model, data, config), new Labeler(model)
      };
    }
  }

  [Test]
  public static void DisposingTwiceIsHarmless() {
    foreach (var handle in OneOfEach()) {
      handle.Dispose();
      handle.Dispose();
    }
  }

  [Test]
  public static void UsingADisposedObjectThrowsState() {
    var handles = OneOfEach();
    handles.ForEach(handle => handle.Dispose());
    var config = (Config)handles[0];
    var image = (Image)handles[1];
    var data = (Dataset)handles[2];
    var model = (Model)handles[3];
    var trainer = (Trainer)handles[4];
    var labeler = (Labeler)handles[5];
    byte[] pixels = Tiny.Flat(Tiny.Side, Tiny.Side, 3, 1);
    Check.Throws(Status.State, "this Config is closed", () => config.GetInt("model.width"));
    Check.Throws(Status.State, "this Config is closed", () => config.Clone());
    Check.Throws(Status.State, "this Image is closed", () => { int unused = image.Width; });
    Check.Throws(Status.State, "this Image is closed", () => image.GetData());
    Check.Throws(Status.State, "this Dataset is closed", () => { long unused = data.Size; });
    Check.Throws(Status.State, "this Dataset is closed", () => data.AddSynthetic(1, 8, 8, 2, 1));
    Check.Throws(Status.State, "this Dataset is closed", () => data.SetCache(1024));
    Check.Throws(Status.State, "this Dataset is closed", () => data.GetCacheStats());
    Check.Throws(Status.State, "this Dataset is closed", () => data.AddLayout(Layout.Voc, "root", "train"));
    Check.Throws(Status.State, "this Model is closed", () => model.Predict(pixels, Tiny.Side, Tiny.Side, 3));
    Check.Throws(Status.State, "this Model is closed", () => model.Save(TestRunner.TempFolder + "/closed.s4seg"));
    Check.Throws(Status.State, "this Model is closed", () => { int unused = model.NumClasses; });
    Check.Throws(Status.State, "this Model is closed", () => model.BackboneReport());
    Check.Throws(Status.State, "this Model is closed", () => model.LoadBackbone("weights.safetensors"));
    Check.Throws(Status.State, "this Model is closed", () => model.LoadBackbonePartial("weights.safetensors"));
    Check.Throws(Status.State, "this Model is closed", () => model.SaveBackbone("weights.safetensors"));
    Check.Throws(Status.State, "this Model is closed", () => model.ClassName(0));
    Check.Throws(Status.State, "this Model is closed", () => model.ClassNames());
    Check.Throws(Status.State, "this Model is closed", () => model.Palette());
    Check.Throws(Status.State, "this Trainer is closed", () => trainer.Step(1));
    Check.Throws(Status.State, "this Trainer is closed", () => trainer.Metrics());
    Check.Throws(Status.State, "this Labeler is closed", () => labeler.Label(pixels, Tiny.Side, Tiny.Side, 3));
  }

  [Test]
  public static void DisposedArgumentsAreRejected() {
    var model = Tiny.UntrainedModel();
    var data = Tiny.Data(2, 1);
    model.Dispose();
    data.Dispose();
    using (var live = Tiny.UntrainedModel())
    using (var liveData = Tiny.Data(2, 1))
    using (var config = Tiny.Config()) {
      Check.Throws(Status.InvalidArgument, "dataset is null or closed", () => live.Evaluate(data));
      Check.Throws(Status.InvalidArgument, "", () => new Trainer(model, liveData, config));
      Check.Throws(Status.InvalidArgument, "", () => new Trainer(live, data, config));
      Check.Throws(Status.InvalidArgument, "", () => new Labeler(model));
    }
  }

  [Test]
  public static void TrainerKeepsItsModelAndDatasetsAlive() {
    Trainer trainer;
    using (var config = Tiny.Config(4))
    using (var data = Tiny.Data(4, 1))
    using (var model = new Model(config)) {
      trainer = new Trainer(model, data, config);
    }
    using (trainer) Check.Equal(2L, trainer.Step(2).Iteration, "a trainer steps after its model, data and config were disposed");
  }

  [Test]
  public static void LabelerKeepsItsModelAlive() {
    Labeler labeler;
    using (var model = Tiny.UntrainedModel()) labeler = new Labeler(model);
    using (labeler) {
      var result = labeler.Label(Tiny.Pixels(), Tiny.Side, Tiny.Side, 3);
      Check.Equal(Tiny.Classes, result.Predicted.Length, "a labeler labels after its model was disposed");
    }
  }

  [Test]
  public static void FinalizersMayRunInAnyOrder() {
    for (int round = 0; round < 3; ++round) {
      LeaveGarbage();
      GC.Collect();
      GC.WaitForPendingFinalizers();
    }
    using (var model = Tiny.UntrainedModel()) Check.Equal(Tiny.Classes, model.NumClasses, "the library works after the finalizers ran");
  }

  /// <summary>Handles that reference each other, left to the garbage collector.</summary>
  [MethodImpl(MethodImplOptions.NoInlining)]
  static void LeaveGarbage() {
    var config = Tiny.Config(2);
    var data = Tiny.Data(4, 1);
    var model = new Model(config);
    var trainer = new Trainer(model, data, config);
    trainer.Step(1);
    new Labeler(model).Label(Tiny.Pixels(), Tiny.Side, Tiny.Side, 3);
    data.GetImage(0);
  }
}

}

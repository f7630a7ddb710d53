using System;
using System.IO;
using System.Linq;

namespace S4Seg.Tests {

/// <summary>Trainer: steps, stats, metrics, the end of training, cancel, checkpoints, semi-supervised.</summary>
static class TrainerTests {
  [Test]
  public static void StepTrainsAndReportsStats() {
    using (var config = Tiny.Config(4))
    using (var data = Tiny.Data(8, 1))
    using (var model = new Model(config))
    using (var trainer = new Trainer(model, data, config)) {
      TrainStats stats = trainer.Step(2);
      Check.Equal(2L, stats.Iteration, "iteration after the step");
      Check.Equal(4L, stats.TotalIterations, "total iterations");
      Check.True(stats.Loss > 0 && !double.IsInfinity(stats.Loss), $"loss {stats.Loss} is positive and finite");
      Check.True(stats.LearningRate > 0, "learning rate");
      Check.True(stats.Seconds > 0 && stats.ImagesPerSecond > 0, "timing");
      Check.Equal(null, stats.PseudoKeepRatio, "no pseudo-labels in supervised training");
      Check.Equal(2L, trainer.Iteration, "trainer iteration");
      var metrics = trainer.Metrics();
      Check.True(metrics.Count > 0, "the step reports metrics");
      Check.True(metrics.Keys.Any(name => name.StartsWith("loss/")), "metrics include the loss terms: " + string.Join(", ", metrics.Keys));
      Check.True(metrics.Values.All(value => !double.IsNaN(value)), "metric values are numbers");
    }
  }

  [Test]
  public static void SteppingPastTheEndThrowsState() {
    using (var config = Tiny.Config(2))
    using (var data = Tiny.Data(4, 1))
    using (var model = new Model(config))
    using (var trainer = new Trainer(model, data, config)) {
      Check.Equal(2L, trainer.Step(5).Iteration, "a step stops at train.iters");
      Check.Throws(Status.State, "", () => trainer.Step(1));
    }
  }

  [Test]
  public static void CancelBeforeAStepCancelsThatStep() {
    using (var config = Tiny.Config(6))
    using (var data = Tiny.Data(4, 1))
    using (var model = new Model(config))
    using (var trainer = new Trainer(model, data, config)) {
      trainer.Cancel();
      Check.Throws(Status.Cancelled, "", () => trainer.Step(4));
      long stoppedAt = trainer.Iteration;
      Check.True(stoppedAt <= 1, $"the cancelled step stopped at once (iteration {stoppedAt})");
      Check.Equal(stoppedAt + 1, trainer.Step(1).Iteration, "the next step runs");
    }
  }

  [Test]
  public static void CheckpointsResumeTraining() {
    string checkpoint = Path.Combine(TestRunner.TempFolder, "trainer.ckpt");
    using (var config = Tiny.Config(4))
    using (var data = Tiny.Data(4, 1)) {
      using (var model = new Model(config))
      using (var trainer = new Trainer(model, data, config)) {
        trainer.Step(2);
        trainer.SaveCheckpoint(checkpoint);
      }
      using (var model = new Model(config))
      using (var trainer = new Trainer(model, data, config)) {
        trainer.Resume(checkpoint);
        Check.Equal(2L, trainer.Iteration, "iteration after resume");
        Check.Equal(4L, trainer.Step(2).Iteration, "training continues to the end");
        Check.Throws(Status.Io, "missing.ckpt", () => trainer.Resume(Path.Combine(TestRunner.TempFolder, "missing.ckpt")));
      }
      using (var fromCheckpoint = Model.Load(checkpoint, "cpu")) Check.Equal(Tiny.Classes, fromCheckpoint.NumClasses, "a checkpoint loads as a model");
    }
  }

  [Test]
  public static void SemiSupervisedTrainingReportsPseudoLabels() {
    using (var config = Tiny.Config(2))
    using (var labeled = Tiny.Data(4, 1))
    using (var unlabeled = Tiny.Data(4, 3)) {
      config.SetString("train.method", "fixmatch");
      using (var model = new Model(config))
      using (var trainer = new Trainer(model, labeled, unlabeled, config)) {
        TrainStats stats = trainer.Step(2);
        Check.True(stats.PseudoKeepRatio.HasValue, "fixmatch reports the share of kept pseudo-labels");
        Check.InRange(0, 1, stats.PseudoKeepRatio.Value, "pseudo-label keep ratio");
      }
    }
  }

  [Test]
  public static void ConstructorsRejectUnusableData() {
    using (var config = Tiny.Config())
    using (var model = new Model(config))
    using (var unmasked = new Dataset()) {
      unmasked.Add(Tiny.Flat(Tiny.Side, Tiny.Side, 3, 9), Tiny.Side, Tiny.Side, 3);
      Check.Throws(Status.InvalidArgument, "without a mask", () => new Trainer(model, unmasked, config));
      Check.Throws(Status.InvalidArgument, "", () => new Trainer(model, null, config));
    }
  }
}

}

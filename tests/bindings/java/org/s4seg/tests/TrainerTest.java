package org.s4seg.tests;

import java.util.Map;

import org.s4seg.Config;
import org.s4seg.Dataset;
import org.s4seg.Model;
import org.s4seg.Status;
import org.s4seg.Trainer;
import org.s4seg.TrainStats;

/** Training steps, statistics, metrics, cancellation, checkpoints and the semi-supervised path. */
final class TrainerTest {
  @Test
  public void stepTrainsAndReportsStats() {
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1); Model model = new Model(config);
         Trainer trainer = new Trainer(model, train, config)) {
      TrainStats stats = trainer.step(2);
      Check.equal(2, stats.iteration(), "iteration");
      Check.equal(Fixtures.ITERS, stats.totalIterations(), "total iterations");
      Check.isTrue(Double.isFinite(stats.loss()) && stats.loss() > 0, "loss " + stats.loss());
      Check.isTrue(stats.learningRate() > 0, "learning rate " + stats.learningRate());
      Check.isTrue(stats.seconds() > 0 && stats.imagesPerSecond() > 0, "timing " + stats);
      Check.equal(-1.0, stats.pseudoKeepRatio(), "no pseudo-labels in supervised training");
      Check.isTrue(!stats.finished(), "not finished after 2 of 4");
      Check.equal(2, trainer.iteration(), "trainer iteration");

      Map<String, Double> metrics = trainer.metrics();
      Check.isTrue(metrics.containsKey("loss/supervised"), "metrics " + metrics);
      Check.equal(metrics.size(), (int) trainer.metricCount(), "metric count");
    }
  }

  @Test
  public void stepStopsAtTrainIters() {
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1); Model model = new Model(config);
         Trainer trainer = new Trainer(model, train, config)) {
      TrainStats stats = trainer.step(100);
      Check.equal(Fixtures.ITERS, stats.iteration(), "stopped at train.iters");
      Check.isTrue(stats.finished(), "finished");
      Check.fails(Status.STATE, () -> trainer.step(1));
    }
  }

  @Test
  public void trainingChangesPredictions() {
    byte[] image;
    try (Dataset validation = Fixtures.synthetic(1, 9); org.s4seg.Image first = validation.getImage(0)) {
      image = first.getData();
    }
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1); Model model = new Model(config);
         Trainer trainer = new Trainer(model, train, config)) {
      float[] before = new float[Fixtures.SIDE * Fixtures.SIDE];
      float[] after = new float[before.length];
      model.predictInto(image, Fixtures.SIDE, Fixtures.SIDE, 3, new byte[before.length], before);
      trainer.step(Fixtures.ITERS);
      model.predictInto(image, Fixtures.SIDE, Fixtures.SIDE, 3, new byte[after.length], after);
      Check.isTrue(!java.util.Arrays.equals(before, after), "the model is trained in place");
    }
  }

  @Test
  public void cancelStopsTheNextStep() {
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1); Model model = new Model(config);
         Trainer trainer = new Trainer(model, train, config)) {
      trainer.cancel();
      Check.fails(Status.CANCELLED, () -> trainer.step(3));
      long stoppedAt = trainer.iteration();
      Check.isTrue(stoppedAt <= 1, "at most the iteration in progress ran: " + stoppedAt);
      Check.equal(stoppedAt + 1, trainer.step(1).iteration(), "the request was used up");
    }
  }

  @Test
  public void cancelFromAnotherThreadStopsARunningStep() throws Exception {
    final long longRun = 100000; // minutes of training if cancel did not work
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1)) {
      config.setInt("train.iters", longRun);
      try (Model model = new Model(config); Trainer trainer = new Trainer(model, train, config)) {
        Thread canceller = new Thread(() -> {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          trainer.cancel(); // before or during the step: either way that step is cancelled
        });
        canceller.start();
        try {
          Check.fails(Status.CANCELLED, () -> trainer.step(longRun));
        } finally {
          canceller.join();
        }
        Check.isTrue(trainer.iteration() < longRun, "stopped early at " + trainer.iteration());
      }
    }
  }

  @Test
  public void resumeContinuesFromACheckpoint() {
    String checkpoint = Fixtures.tempDir("checkpoint").resolve("run.ckpt").toString();
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1)) {
      double expectedLoss;
      try (Model model = new Model(config); Trainer trainer = new Trainer(model, train, config)) {
        trainer.step(2);
        trainer.saveCheckpoint(checkpoint);
        expectedLoss = trainer.step(2).loss();
      }
      try (Model model = new Model(config); Trainer trainer = new Trainer(model, train, config)) {
        trainer.resume(checkpoint);
        Check.equal(2, trainer.iteration(), "iteration after resume");
        Check.near(expectedLoss, trainer.step(2).loss(), 1e-4, "loss continues as before");
      }
      try (Model fromCheckpoint = Model.load(checkpoint, "cpu")) {
        Check.equal(Fixtures.CLASSES, fromCheckpoint.numClasses(), "Model.load reads a checkpoint");
      }
    }
  }

  @Test
  public void semiSupervisedTrainingUsesUnlabeledData() {
    try (Config config = Fixtures.tinyConfig(); Dataset train = Fixtures.synthetic(4, 1);
         Dataset unlabeled = Fixtures.synthetic(4, 3)) {
      config.set("train.method", "fixmatch");
      try (Model model = new Model(config)) {
        Check.fails(Status.INVALID_ARGUMENT, () -> new Trainer(model, train, null, config).close());
        try (Trainer trainer = new Trainer(model, train, unlabeled, config)) {
          TrainStats stats = trainer.step(1);
          Check.inRange(0, 1, stats.pseudoKeepRatio(), "pseudo keep ratio");
          Check.inRange(0, 1, stats.pseudoAccuracy(), "pseudo accuracy (synthetic unlabeled data has masks)");
        }
      }
    }
  }
}

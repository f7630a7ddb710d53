package org.s4seg.tests;

import org.s4seg.Config;
import org.s4seg.Dataset;
import org.s4seg.Image;
import org.s4seg.Labeler;
import org.s4seg.Layout;
import org.s4seg.Model;
import org.s4seg.S4SegException;
import org.s4seg.Status;
import org.s4seg.Trainer;

/** close(): idempotent, clear errors after it, and any closing order is safe. */
final class LifetimeTest {
  private static final int SIDE = Fixtures.SIDE;

  @Test
  public void closeTwiceIsHarmless() {
    Model model;
    try (Config config = Fixtures.tinyConfig()) {
      model = new Model(config);
    }
    Check.isTrue(!model.isClosed(), "open after creation");
    model.close();
    model.close();
    Check.isTrue(model.isClosed(), "closed");
  }

  @Test
  public void everyClassRejectsUseAfterClose() {
    Config config = Fixtures.tinyConfig();
    Dataset dataset = Fixtures.synthetic(2, 1);
    Image image = dataset.getImage(0);
    Model model = new Model(config);
    Trainer trainer = new Trainer(model, dataset, config);
    Labeler labeler = new Labeler(model);
    for (AutoCloseable handle : new AutoCloseable[] {labeler, trainer, model, image, dataset, config}) {
      try {
        handle.close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    expectClosed("Config", () -> config.getInt("train.iters"));
    expectClosed("Dataset", dataset::size);
    expectClosed("Dataset", () -> dataset.setCache(1024));
    expectClosed("Dataset", dataset::cacheStats);
    expectClosed("Dataset", () -> dataset.addLayout(Layout.VOC, "root", "train"));
    expectClosed("Image", image::width);
    expectClosed("Image", image::getData);
    expectClosed("Model", model::numClasses);
    expectClosed("Model", model::backboneReport);
    expectClosed("Model", () -> model.loadBackbone("weights.safetensors"));
    expectClosed("Model", () -> model.loadBackbonePartial("weights.safetensors"));
    expectClosed("Model", () -> model.saveBackbone("weights.safetensors"));
    expectClosed("Model", () -> model.className(0));
    expectClosed("Model", model::classNames);
    expectClosed("Model", model::palette);
    expectClosed("Model", () -> model.predict(new byte[SIDE * SIDE * 3], SIDE, SIDE, 3));
    expectClosed("Trainer", () -> trainer.step(1));
    expectClosed("Labeler", () -> labeler.label(new byte[SIDE * SIDE * 3], SIDE, SIDE, 3));
  }

  private static void expectClosed(String type, Check.Call call) {
    S4SegException e = Check.fails(Status.STATE, call);
    Check.contains(e.getMessage(), "this " + type + " is closed", "message");
  }

  @Test
  public void closedArgumentsAreRejected() {
    try (Config config = Fixtures.tinyConfig(); Dataset dataset = Fixtures.synthetic(2, 1);
         Model model = new Model(config)) {
      Model closedModel = new Model(config);
      closedModel.close();
      Dataset closedDataset = new Dataset();
      closedDataset.close();
      Config closedConfig = new Config();
      closedConfig.close();
      S4SegException e = Check.fails(Status.STATE, () -> new Trainer(closedModel, dataset, config).close());
      Check.contains(e.getMessage(), "Model passed as an argument is closed", "message");
      Check.fails(Status.STATE, () -> new Trainer(model, dataset, closedDataset, config).close());
      Check.fails(Status.STATE, () -> new Model(closedConfig).close());
      Check.fails(Status.STATE, () -> model.evaluate(closedDataset));
      Check.fails(Status.STATE, () -> new Labeler(closedModel).close());
    }
  }

  @Test
  public void trainerKeepsItsModelAndDatasetsAlive() {
    Config config = Fixtures.tinyConfig();
    Dataset dataset = Fixtures.synthetic(4, 1);
    Model model = new Model(config);
    try (Trainer trainer = new Trainer(model, dataset, config)) {
      model.close();
      dataset.close();
      config.close();
      Check.equal(1, trainer.step(1).iteration(), "a step after its model and data were closed");
    }
  }

  @Test
  public void tryWithResourcesClosesEverything() {
    Config config;
    Model model;
    try (Config c = Fixtures.tinyConfig(); Model m = new Model(c)) {
      config = c;
      model = m;
    }
    Check.isTrue(config.isClosed() && model.isClosed(), "closed at the end of the block");
  }
}

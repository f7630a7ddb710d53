package org.s4seg.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import org.s4seg.Config;
import org.s4seg.Dataset;
import org.s4seg.Evaluation;
import org.s4seg.Image;
import org.s4seg.Model;
import org.s4seg.S4Seg;
import org.s4seg.S4SegException;
import org.s4seg.Status;

/** Prediction into arrays and direct buffers, evaluation, save and load. */
final class ModelTest {
  private static final int SIDE = Fixtures.SIDE;

  /** The first synthetic validation image. */
  private static byte[] sampleImage() {
    try (Dataset dataset = Fixtures.synthetic(1, 2); Image image = dataset.getImage(0)) {
      return image.getData();
    }
  }

  private static void checkLabels(byte[] labels, int pixels, int classes) {
    Check.equal(pixels, labels.length, "label count");
    for (byte label : labels) {
      Check.inRange(0, classes - 1, Byte.toUnsignedInt(label), "label value");
    }
  }

  @Test
  public void flopsAndDeviceMemoryAreReported() {
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      double small = model.flops(32, 32), large = model.flops(64, 64);
      Check.isTrue(small > 0 && large > 3.9 * small && large <= 4.0 * small, "FLOPs grow with the pixel count");
    }
    long current = S4Seg.deviceMemoryCurrent("cpu");  // first: the peak read later covers it
    Check.isTrue(current > 0, "the process has resident memory");
    Check.isTrue(S4Seg.deviceMemoryPeak("cpu") >= current, "peak >= current");
  }

  @Test
  public void predictReturnsOneClassPerPixel() {
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      Check.equal(Fixtures.CLASSES, model.numClasses(), "numClasses");
      Check.equal("cpu", model.device(), "device");
      checkLabels(model.predict(sampleImage(), SIDE, SIDE, 3), SIDE * SIDE, Fixtures.CLASSES);
    }
  }

  @Test
  public void predictIntoFillsLabelsAndConfidence() {
    byte[] image = sampleImage();
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      byte[] labels = new byte[SIDE * SIDE];
      float[] confidence = new float[SIDE * SIDE];
      model.predictInto(image, SIDE, SIDE, 3, labels, confidence);
      checkLabels(labels, SIDE * SIDE, Fixtures.CLASSES);
      for (float p : confidence) Check.inRange(1.0 / Fixtures.CLASSES - 1e-6, 1.0, p, "top-class probability");
      Check.sameBytes(model.predict(image, SIDE, SIDE, 3), labels, "predictInto vs predict");
    }
  }

  @Test
  public void directBuffersGiveTheSamePrediction() {
    byte[] image = sampleImage();
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      float[] confidence = new float[SIDE * SIDE];
      byte[] expected = new byte[SIDE * SIDE];
      model.predictInto(image, SIDE, SIDE, 3, expected, confidence);

      // A window inside larger buffers: only position..limit is used, and positions do not move.
      ByteBuffer imageBuffer = ByteBuffer.allocateDirect(image.length + 5);
      imageBuffer.position(5);
      imageBuffer.put(image).position(5);
      ByteBuffer labelBuffer = ByteBuffer.allocateDirect(SIDE * SIDE + 3);
      labelBuffer.position(3);
      FloatBuffer confidenceBuffer = ByteBuffer.allocateDirect(4 * SIDE * SIDE).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
      model.predictInto(imageBuffer, SIDE, SIDE, 3, labelBuffer, confidenceBuffer);

      Check.equal(5, imageBuffer.position(), "image position");
      Check.equal(3, labelBuffer.position(), "label position");
      byte[] labels = new byte[SIDE * SIDE];
      labelBuffer.get(labels);
      Check.sameBytes(expected, labels, "labels through direct buffers");
      for (int i = 0; i < confidence.length; ++i) {
        Check.near(confidence[i], confidenceBuffer.get(i), 0, "confidence " + i);
      }
    }
  }

  @Test
  public void batchPredictionMatchesSingleImages() {
    try (Dataset dataset = Fixtures.synthetic(2, 4); Image a = dataset.getImage(0); Image b = dataset.getImage(1);
         Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      byte[] images = new byte[2 * SIDE * SIDE * 3];
      System.arraycopy(a.getData(), 0, images, 0, SIDE * SIDE * 3);
      System.arraycopy(b.getData(), 0, images, SIDE * SIDE * 3, SIDE * SIDE * 3);
      byte[] labels = model.predictBatch(images, 2, SIDE, SIDE, 3);
      checkLabels(labels, 2 * SIDE * SIDE, Fixtures.CLASSES);
      byte[] second = new byte[SIDE * SIDE];
      System.arraycopy(labels, SIDE * SIDE, second, 0, SIDE * SIDE);
      Check.sameBytes(model.predict(b.getData(), SIDE, SIDE, 3), second, "second image of the batch");
    }
  }

  @Test
  public void evaluationScoresAreInRange() {
    try (Dataset dataset = Fixtures.synthetic(2, 5); Config config = Fixtures.tinyConfig();
         Model model = new Model(config)) {
      Evaluation evaluation = model.evaluate(dataset);
      Check.inRange(0, 1, evaluation.miou(), "mIoU");
      Check.inRange(0, 1, evaluation.pixelAccuracy(), "pixel accuracy");
      Check.equal(Fixtures.CLASSES, evaluation.classIou().length, "class IoU count");
      for (double iou : evaluation.classIou()) Check.isTrue(Double.isNaN(iou) || (iou >= 0 && iou <= 1), "IoU " + iou);
    }
  }

  @Test
  public void savedAndLoadedModelsPredictIdentically() {
    byte[] image = sampleImage();
    String path = Fixtures.tempDir("model").resolve("tiny.s4seg").toString();
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      model.save(path);
      float[] confidence = new float[SIDE * SIDE];
      byte[] labels = new byte[SIDE * SIDE];
      model.predictInto(image, SIDE, SIDE, 3, labels, confidence);
      try (Model loaded = Model.load(path, "cpu")) {
        float[] loadedConfidence = new float[SIDE * SIDE];
        byte[] loadedLabels = new byte[SIDE * SIDE];
        loaded.predictInto(image, SIDE, SIDE, 3, loadedLabels, loadedConfidence);
        Check.sameBytes(labels, loadedLabels, "labels after load");
        for (int i = 0; i < confidence.length; ++i) Check.near(confidence[i], loadedConfidence[i], 0, "confidence " + i);
        Check.equal(model.numClasses(), loaded.numClasses(), "classes after load");
      }
    }
  }

  /** The tiny config with {@code lines} applied after it. */
  private static Config tinyConfigWith(String lines) {
    return Config.fromText(Fixtures.TINY + "\n" + lines);
  }

  @Test
  public void savedBackboneLoadsIntoAnotherModel() {
    String path = Fixtures.tempDir("backbone").resolve("encoder.safetensors").toString();
    try (Config first = tinyConfigWith("train.seed = 1"); Config second = tinyConfigWith("train.seed = 2");
         Model source = new Model(first); Model target = new Model(second)) {
      source.saveBackbone(path);
      Check.equal("", target.backboneReport(), "report before any load");
      target.loadBackbone(path);
      String report = target.backboneReport();
      Check.isTrue(report.startsWith("loaded "), "report after a load: " + report);
      Check.fails(Status.IO, () -> target.loadBackbone(path + ".missing"));
      Check.equal(report, target.backboneReport(), "report after a failed load");
    }
  }

  @Test
  public void deeperEncoderRefusesShallowWeightsUnlessPartial() {
    String path = Fixtures.tempDir("backbone").resolve("resnet18.safetensors").toString();
    try (Config small = Fixtures.tinyConfig(); Config deep = tinyConfigWith("model.backbone = resnet34");
         Model resnet18 = new Model(small); Model resnet34 = new Model(deep)) {
      resnet18.saveBackbone(path);
      S4SegException e = Check.fails(Status.FORMAT, () -> resnet34.loadBackbone(path));
      Check.contains(e.getMessage(), "missing from the file", "strict load message");
      resnet34.loadBackbonePartial(path);
      String report = resnet34.backboneReport();
      Check.isTrue(report.startsWith("loaded "), "report after a partial load: " + report);
      Check.contains(report, "missing from the file", "partial load report");
    }
  }

  @Test
  public void classNamesAndPaletteComeFromTheConfig() {
    try (Config config = tinyConfigWith("model.num_classes = 21\nmodel.class_names = voc");
         Model model = new Model(config)) {
      Check.equal("person", model.className(15), "class 15");
      Check.equal("background", model.className(0), "class 0");
      java.util.List<String> names = model.classNames();
      Check.equal(21, names.size(), "class names");
      Check.equal("person", names.get(15), "class names[15]");
      byte[] palette = model.palette();
      Check.equal(3 * 21, palette.length, "palette bytes");
      Check.equal(192, Byte.toUnsignedInt(palette[45]), "red of class 15");
      Check.equal(128, Byte.toUnsignedInt(palette[46]), "green of class 15");
      Check.equal(128, Byte.toUnsignedInt(palette[47]), "blue of class 15");
      byte[] into = new byte[3 * 21];
      model.paletteInto(into);
      Check.sameBytes(palette, into, "paletteInto");
      S4SegException e = Check.fails(Status.INVALID_ARGUMENT, () -> model.paletteInto(new byte[3 * 21 - 1]));
      Check.contains(e.getMessage(), "palette buffer has 62 elements, expected 63", "message");
      Check.fails(Status.INVALID_ARGUMENT, () -> model.paletteInto(null));
      Check.fails(Status.INVALID_ARGUMENT, () -> model.className(21));
      Check.fails(Status.INVALID_ARGUMENT, () -> model.className(-1));
    }
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      Check.equal(Fixtures.CLASSES, model.classNames().size(), "default class names");
      Check.equal(3 * Fixtures.CLASSES, model.palette().length, "default palette");
    }
  }

  @Test
  public void pathsOutsideTheBasicPlaneWork() {
    // A file name with a character beyond U+FFFF, which JNI's modified UTF-8 would mangle.
    java.nio.file.Path path = Fixtures.tempDir("unicode").resolve("mod\u00e8le-\uD83D\uDE00.s4seg");
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      model.save(path.toString());
    }
    // Java's own file names follow the locale; only a UTF-8 one can see the name as written.
    if ("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
      Check.isTrue(java.nio.file.Files.exists(path), "file saved under its Java name");
    }
    try (Model loaded = Model.load(path.toString())) {
      Check.equal(Fixtures.CLASSES, loaded.numClasses(), "classes");
    }
  }
}

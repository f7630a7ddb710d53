package org.s4seg.tests;

import org.s4seg.Config;
import org.s4seg.Dataset;
import org.s4seg.Image;
import org.s4seg.LabelResult;
import org.s4seg.Labeler;
import org.s4seg.Model;

/** Pseudo-labels: sizes, value ranges and per-class counts that agree with the label map. */
final class LabelerTest {
  private static final int SIDE = Fixtures.SIDE;

  @Test
  public void labelsAgreeWithTheirCounts() {
    try (Dataset dataset = Fixtures.synthetic(1, 6); Image image = dataset.getImage(0);
         Config config = Fixtures.tinyConfig()) {
      config.set("pseudo.filter", "threshold");
      config.setDouble("pseudo.threshold", 0.4);
      try (Model model = new Model(config); Labeler labeler = new Labeler(model, config)) {
        LabelResult result = labeler.label(image.getData(), SIDE, SIDE, 3);
        Check.equal(SIDE * SIDE, result.labels().length, "labels");
        Check.equal(SIDE * SIDE, result.confidence().length, "confidence");
        Check.equal(Fixtures.CLASSES, result.predicted().length, "predicted counts");

        long[] keptPerClass = new long[Fixtures.CLASSES];
        for (byte label : result.labels()) {
          int value = Byte.toUnsignedInt(label);
          if (value == LabelResult.IGNORED) continue;
          Check.isTrue(value < Fixtures.CLASSES, "label " + value);
          keptPerClass[value]++;
        }
        long predictedTotal = 0;
        for (int c = 0; c < Fixtures.CLASSES; ++c) {
          Check.equal(keptPerClass[c], result.kept()[c], "kept pixels of class " + c);
          Check.isTrue(result.kept()[c] <= result.predicted()[c], "kept <= predicted for class " + c);
          predictedTotal += result.predicted()[c];
        }
        Check.equal(SIDE * SIDE, predictedTotal, "every pixel is predicted");
        Check.inRange(0, 1, result.keptRatio(), "kept ratio");
      }
    }
  }

  @Test
  public void labelerOutlivesItsClosedModel() {
    try (Dataset dataset = Fixtures.synthetic(1, 6); Image image = dataset.getImage(0);
         Config config = Fixtures.tinyConfig()) {
      Model model = new Model(config);
      try (Labeler labeler = new Labeler(model)) {
        model.close();
        Check.equal(SIDE * SIDE, labeler.label(image.getData(), SIDE, SIDE, 3).labels().length, "labels");
      }
    }
  }
}

package org.s4seg;

import java.util.Arrays;

/** Scores of a model on a dataset with masks (see Model.evaluate). */
public final class Evaluation {
  private final double[] scores;

  /** {@code scores}: mIoU, pixel accuracy, then the IoU of each class (the core's layout). */
  Evaluation(double[] scores) {
    this.scores = scores;
  }

  /** Mean intersection over union of the classes present in ground truth or prediction. */
  public double miou() {
    return scores[0];
  }

  /** Share of labelled pixels predicted correctly. */
  public double pixelAccuracy() {
    return scores[1];
  }

  /** The IoU of each class (NaN for a class absent from ground truth and prediction); a copy. */
  public double[] classIou() {
    return Arrays.copyOfRange(scores, 2, scores.length);
  }

  /** The IoU of class {@code index}. */
  public double classIou(int index) {
    if (index < 0 || index >= numClasses()) {
      throw new IndexOutOfBoundsException("class " + index + " of " + numClasses());
    }
    return scores[2 + index];
  }

  /** Number of classes scored. */
  public int numClasses() {
    return scores.length - 2;
  }

  @Override
  public String toString() {
    return String.format("mIoU %.4f, pixel accuracy %.4f, class IoU %s", miou(), pixelAccuracy(),
        Arrays.toString(classIou()));
  }
}

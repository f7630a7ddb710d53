package org.s4seg;

/**
 * Pseudo-labels of one image (see Labeler.label). The arrays are this result's own, not copies.
 */
public final class LabelResult {
  /** The label of pixels the filter dropped. */
  public static final int IGNORED = 255;

  private final int width;
  private final int height;
  private final byte[] labels;
  private final byte[] confidence;
  private final long[] predicted;
  private final long[] kept;

  LabelResult(int width, int height, byte[] labels, byte[] confidence, long[] predicted, long[] kept) {
    this.width = width;
    this.height = height;
    this.labels = labels;
    this.confidence = confidence;
    this.predicted = predicted;
    this.kept = kept;
  }

  /** Width of the label map. */
  public int width() {
    return width;
  }

  /** Height of the label map. */
  public int height() {
    return height;
  }

  /** Class index per pixel (read as unsigned), IGNORED where filtered out; width x height bytes. */
  public byte[] labels() {
    return labels;
  }

  /** round(255 x top-class probability) per pixel (read as unsigned); width x height bytes. */
  public byte[] confidence() {
    return confidence;
  }

  /** Pixels the model predicted, per class. */
  public long[] predicted() {
    return predicted;
  }

  /** Pixels the filter kept, per class. */
  public long[] kept() {
    return kept;
  }

  /** Share of the image's pixels the filter kept. */
  public double keptRatio() {
    long total = 0;
    for (long count : kept) total += count;
    return (double) total / ((long) width * height);
  }
}

package org.s4seg;

/** Figures of one Trainer.step call. */
public final class TrainStats {
  /** Number of values in the core's stats layout. */
  static final int FIELD_COUNT = 9;

  private final double[] stats;

  /** {@code stats}: the core's step_into layout (iteration ... pseudo accuracy). */
  TrainStats(double[] stats) {
    this.stats = stats.clone();
  }

  /** Iterations completed in total. */
  public long iteration() {
    return (long) stats[0];
  }

  /** The configured train.iters. */
  public long totalIterations() {
    return (long) stats[1];
  }

  /** Whether training has reached train.iters (a further step throws STATE). */
  public boolean finished() {
    return iteration() >= totalIterations();
  }

  /** Mean total loss over the iterations of the call. */
  public double loss() {
    return stats[2];
  }

  /** Base learning rate of the last iteration. */
  public double learningRate() {
    return stats[3];
  }

  /** Wall time of the call in seconds. */
  public double seconds() {
    return stats[4];
  }

  /** Labeled images processed per second. */
  public double imagesPerSecond() {
    return stats[5];
  }

  /** Estimated seconds to train.iters at the current pace. */
  public double etaSeconds() {
    return stats[6];
  }

  /** Share of unlabeled pixels the pseudo-label filter kept; -1 without unlabeled data. */
  public double pseudoKeepRatio() {
    return stats[7];
  }

  /** Share of kept pseudo-labels matching the unlabeled images' own masks; -1 when not measured. */
  public double pseudoAccuracy() {
    return stats[8];
  }

  @Override
  public String toString() {
    return String.format("iteration %d/%d, loss %.4f, lr %.5f, %.1f images/s", iteration(), totalIterations(), loss(),
        learningRate(), imagesPerSecond());
  }
}

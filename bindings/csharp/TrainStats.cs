namespace S4Seg {

/// <summary>Figures of one <see cref="Trainer.Step"/> call, covering the iterations it ran. Immutable.</summary>
public sealed class TrainStats {
  /// <summary>From the native layout of 9 doubles (see s4seg.i, Trainer step_into).</summary>
  internal TrainStats(double[] stats) {
    Iteration = (long)stats[0];
    TotalIterations = (long)stats[1];
    Loss = stats[2];
    LearningRate = stats[3];
    Seconds = stats[4];
    ImagesPerSecond = stats[5];
    EtaSeconds = stats[6];
    PseudoKeepRatio = stats[7] < 0 ? (double?)null : stats[7];
    PseudoAccuracy = stats[8] < 0 ? (double?)null : stats[8];
  }

  /// <summary>Iterations completed in total.</summary>
  public long Iteration { get; }
  /// <summary>The configured number of iterations (train.iters).</summary>
  public long TotalIterations { get; }
  /// <summary>Mean total loss over the iterations of the call.</summary>
  public double Loss { get; }
  /// <summary>Base learning rate of the last iteration.</summary>
  public double LearningRate { get; }
  /// <summary>Wall time of the call in seconds.</summary>
  public double Seconds { get; }
  /// <summary>Labeled images processed per second.</summary>
  public double ImagesPerSecond { get; }
  /// <summary>Estimated seconds until <see cref="TotalIterations"/> at the current pace.</summary>
  public double EtaSeconds { get; }
  /// <summary>Share of unlabeled pixels the pseudo-label filter kept; null without unlabeled data.</summary>
  public double? PseudoKeepRatio { get; }
  /// <summary>Share of kept pseudo-labels matching the unlabeled images' own masks; null when they carry none.</summary>
  public double? PseudoAccuracy { get; }

  /// <summary>"iteration i/n loss=…".</summary>
  public override string ToString() => $"iteration {Iteration}/{TotalIterations} loss={Loss:G4}";
}

}

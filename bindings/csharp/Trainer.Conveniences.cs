using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace S4Seg {

/// <summary>
/// Trains a model in place on a labeled dataset and, for semi-supervised methods (train.method =
/// fixmatch, ...), an unlabeled one.
/// Thread safety: one thread at a time, except <see cref="Cancel"/> from any thread. Keeps its
/// model and datasets alive: they may be disposed (or collected) before the trainer.
/// </summary>
public partial class Trainer {
  /// <summary>A supervised trainer; <paramref name="config"/> may be null (defaults).</summary>
  public Trainer(Model model, Dataset labeled, Config config) : this(model, labeled, null, config) {
  }

  /// <summary>Iterations completed so far.</summary>
  public long Iteration => GetIteration();

  /// <summary>
  /// Runs up to <paramref name="iterations"/> more iterations (fewer when train.iters is reached).
  /// </summary>
  /// <exception cref="S4SegException">Cancelled after <see cref="Cancel"/>; State when training
  /// already finished.</exception>
  public TrainStats Step(long iterations) {
    var stats = new double[9];
    StepInto(iterations, stats);
    return new TrainStats(stats);
  }

  /// <summary>The named figures of the last step (losses, ...), by name.</summary>
  public IReadOnlyDictionary<string, double> Metrics() {
    long count = MetricCount();
    var metrics = new Dictionary<string, double>((int)count);
    for (long i = 0; i < count; ++i) metrics[MetricName(i)] = MetricValue(i);
    return new ReadOnlyDictionary<string, double>(metrics);
  }
}

}

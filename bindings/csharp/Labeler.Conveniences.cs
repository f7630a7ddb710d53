namespace S4Seg {

/// <summary>
/// Turns a trained model (the teacher) into filtered pseudo-labels, with the filter of the
/// pseudo.* keys of its config.
/// Thread safety: one thread at a time. Keeps its model alive: the model may be disposed first.
/// </summary>
public partial class Labeler {
  /// <summary>The model's class count, read at construction (sizes the per-class counts).</summary>
  private readonly int classCount;

  /// <summary>A labeler with the default filter.</summary>
  public Labeler(Model model) : this(model, null) {
  }

  /// <summary>Labels one image (1 or 3 channels, rows without padding): labels, confidences and
  /// per-class counts in new arrays.</summary>
  public LabelResult Label(byte[] image, int width, int height, int channels) {
    int pixels = BufferSizes.PixelsOf(image, width, height, channels);
    var labels = new byte[pixels];
    var confidence = new byte[pixels];
    var predicted = new ulong[classCount];
    var kept = new ulong[classCount];
    RunInto(image, width, height, channels, labels, confidence, predicted, kept);
    return new LabelResult(labels, confidence, predicted, kept);
  }
}

}

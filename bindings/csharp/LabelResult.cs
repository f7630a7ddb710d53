namespace S4Seg {

/// <summary>Filtered pseudo-labels of one image (<see cref="Labeler.Label"/>).</summary>
public sealed class LabelResult {
  internal LabelResult(byte[] labels, byte[] confidence, ulong[] predicted, ulong[] kept) {
    Labels = labels;
    Confidence = confidence;
    Predicted = predicted;
    Kept = kept;
  }

  /// <summary>width x height class indices, 255 where the filter dropped the pixel.</summary>
  public byte[] Labels { get; }
  /// <summary>width x height teacher confidences, round(255 x top-class probability).</summary>
  public byte[] Confidence { get; }
  /// <summary>Pixels the teacher predicted, per class.</summary>
  public ulong[] Predicted { get; }
  /// <summary>Pixels the filter kept, per class.</summary>
  public ulong[] Kept { get; }
}

}

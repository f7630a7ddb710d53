namespace S4Seg {

/// <summary>
/// Ordered samples (an image and an optional mask of class indices, 255 = ignore), added from
/// memory, from list files or from the synthetic generator.
/// Thread safety: adding needs exclusive access; a dataset no longer added to may be shared.
/// A trainer keeps its datasets alive, so a dataset may be disposed while a trainer uses it.
/// </summary>
public partial class Dataset {
  /// <summary>Number of samples.</summary>
  public long Size => GetSize();

  /// <summary>Adds an image without a mask (for unlabeled sets).</summary>
  public void Add(byte[] image, int width, int height, int channels) => Add(image, width, height, channels, null);
}

}

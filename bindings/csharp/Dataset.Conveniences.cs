namespace S4Seg {

/// <summary>
/// Ordered samples (an image and an optional mask of class indices, 255 = ignore), added from
/// memory, from list files, from benchmark folders or from the synthetic generator. File-backed
/// samples are decoded when used; <see cref="SetCache"/> keeps decoded samples in memory.
/// Thread safety: adding needs exclusive access; a dataset no longer added to may be shared.
/// A trainer keeps its datasets alive, so a dataset may be disposed while a trainer uses it.
/// </summary>
public partial class Dataset {
  /// <summary>Number of samples.</summary>
  public long Size => GetSize();

  /// <summary>Adds an image without a mask (for unlabeled sets).</summary>
  public void Add(byte[] image, int width, int height, int channels) => Add(image, width, height, channels, null);

  /// <summary>Adds the samples of a benchmark folder with their masks (see the overload with flags).</summary>
  public void AddLayout(Layout layout, string root, string split) => AddLayout(layout, root, split, DatasetFlags.None);

  /// <summary>The decoded-sample cache's figures since the dataset was created.</summary>
  public CacheStats GetCacheStats() {
    var figures = new ulong[CacheStats.FieldCount];
    CacheStatsInto(figures);
    return new CacheStats(figures);
  }
}

}

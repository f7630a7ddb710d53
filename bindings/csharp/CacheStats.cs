namespace S4Seg {

/// <summary>Figures of a dataset's decoded-sample cache since the dataset was created
/// (<see cref="Dataset.GetCacheStats"/>). Immutable.</summary>
public sealed class CacheStats {
  /// <summary>Number of values in the native layout (see s4seg.i, Dataset cache_stats_into).</summary>
  internal const int FieldCount = 3;

  /// <summary>From the native layout: bytes, hits, misses.</summary>
  internal CacheStats(ulong[] figures) {
    Bytes = figures[0];
    Hits = figures[1];
    Misses = figures[2];
  }

  /// <summary>Pixel bytes (image + mask) held now; never above the limit of <see cref="Dataset.SetCache"/>.</summary>
  public ulong Bytes { get; }
  /// <summary>Reads served from memory.</summary>
  public ulong Hits { get; }
  /// <summary>File-backed reads decoded from disk (counted while the cache is off too).</summary>
  public ulong Misses { get; }

  /// <summary>"… bytes cached, … hits, … misses".</summary>
  public override string ToString() => $"{Bytes} bytes cached, {Hits} hits, {Misses} misses";
}

}

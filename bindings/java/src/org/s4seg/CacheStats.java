package org.s4seg;

/** Figures of a dataset's decoded-sample cache since the dataset was created (see Dataset.cacheStats). */
public final class CacheStats {
  /** Number of values in the core's cache_stats layout. */
  static final int FIELD_COUNT = 3;

  private final long bytes;
  private final long hits;
  private final long misses;

  /** {@code figures}: the core's cache_stats_into layout (bytes, hits, misses). */
  CacheStats(long[] figures) {
    this.bytes = figures[0];
    this.hits = figures[1];
    this.misses = figures[2];
  }

  /** Pixel bytes (image + mask) held now; never above the limit of Dataset.setCache. */
  public long bytes() {
    return bytes;
  }

  /** Reads served from memory. */
  public long hits() {
    return hits;
  }

  /** File-backed reads decoded from disk (counted while the cache is off too). */
  public long misses() {
    return misses;
  }

  @Override
  public String toString() {
    return bytes + " bytes cached, " + hits + " hits, " + misses + " misses";
  }
}

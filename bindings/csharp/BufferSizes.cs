namespace S4Seg {

/// <summary>
/// Sizes of the result arrays that the allocating conveniences create before a native call.
/// </summary>
internal static class BufferSizes {
  /// <summary>
  /// width x height when <paramref name="image"/> holds exactly width x height x channels bytes of
  /// a valid image, else 0: the native call then rejects the image with its own message instead
  /// of this layer allocating a result sized from bad arguments.
  /// </summary>
  internal static int PixelsOf(byte[] image, int width, int height, int channels) {
    if (image == null || width <= 0 || height <= 0 || (channels != 1 && channels != 3)) return 0;
    long pixels = (long)width * height;
    return image.LongLength == pixels * channels && pixels <= int.MaxValue ? (int)pixels : 0;
  }
}

}

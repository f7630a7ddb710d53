namespace S4Seg {

/// <summary>
/// An 8-bit image (1 or 3 channels) owned by the library: created from pixels, loaded from a
/// file, or returned by <see cref="Dataset"/>.
/// Thread safety: immutable; may be read from several threads. Dispose when done.
/// </summary>
public partial class Image {
  /// <summary>Width in pixels.</summary>
  public int Width => GetWidth();

  /// <summary>Height in pixels.</summary>
  public int Height => GetHeight();

  /// <summary>Channels per pixel: 1 or 3.</summary>
  public int Channels => GetChannels();

  /// <summary>Loads a PNG or JPEG file with <see cref="ImageMode.Auto"/>: 1 channel for grey files, 3 for colour.</summary>
  public static Image Load(string path) => Load(path, ImageMode.Auto);

  /// <summary>A copy of the pixels: width x height x channels bytes, rows without padding.</summary>
  public byte[] GetData() {
    long size = (long)Width * Height * Channels;
    var pixels = new byte[size];
    PixelsInto(pixels);
    return pixels;
  }
}

}

using System.IO;
using System.Linq;

namespace S4Seg.Tests {

/// <summary>Image: pixels in and out, PNG files.</summary>
static class ImageTests {
  [Test]
  public static void ImageKeepsItsPixels() {
    byte[] pixels = Enumerable.Range(0, 4 * 2 * 3).Select(i => (byte)(i * 7)).ToArray();
    using (var image = new Image(pixels, 4, 2, 3)) {
      Check.Equal(4, image.Width, "width");
      Check.Equal(2, image.Height, "height");
      Check.Equal(3, image.Channels, "channels");
      Check.SameElements(pixels, image.GetData(), "pixels");
      var copy = new byte[pixels.Length];
      image.PixelsInto(copy);
      Check.SameElements(pixels, copy, "pixels copied into a caller array");
      Check.Throws(Status.InvalidArgument, "pixel buffer", () => image.PixelsInto(new byte[pixels.Length - 1]));
    }
  }

  [Test]
  public static void PngFilesRoundTrip() {
    byte[] rgb = Enumerable.Range(0, 5 * 3 * 3).Select(i => (byte)(i * 5)).ToArray();
    byte[] grey = Enumerable.Range(0, 5 * 3).Select(i => (byte)(i * 11)).ToArray();
    string rgbPath = Path.Combine(TestRunner.TempFolder, "rgb.png");
    string greyPath = Path.Combine(TestRunner.TempFolder, "grey.png");
    using (var image = new Image(rgb, 5, 3, 3)) image.SavePng(rgbPath);
    S4SegLibrary.SavePng(greyPath, grey, 5, 3, 1);
    using (var image = Image.Load(rgbPath, ImageMode.Rgb)) Check.SameElements(rgb, image.GetData(), "RGB pixels after a PNG round trip");
    using (var image = Image.Load(greyPath)) {
      Check.Equal(1, image.Channels, "a grey PNG loads with 1 channel in Auto mode");
      Check.SameElements(grey, image.GetData(), "grey pixels after a PNG round trip");
    }
  }

  [Test]
  public static void BadImagesThrow() {
    Check.Throws(Status.InvalidArgument, "image has 11 elements, expected 12", () => new Image(new byte[11], 2, 2, 3));
    Check.Throws(Status.InvalidArgument, "image has 0 elements", () => new Image(new byte[0], 2, 2, 3));
    Check.Throws(Status.InvalidArgument, "image is null", () => new Image(null, 2, 2, 3));
    Check.Throws(Status.InvalidArgument, "channels", () => new Image(new byte[8], 2, 2, 2));
    Check.Throws(Status.Io, "missing.png", () => Image.Load(Path.Combine(TestRunner.TempFolder, "missing.png")));
    string notAnImage = Path.Combine(TestRunner.TempFolder, "text.png");
    File.WriteAllText(notAnImage, "not an image");
    Check.Throws(Status.Format, "", () => Image.Load(notAnImage, ImageMode.Rgb));
    Check.Throws(Status.InvalidArgument, "image has 3 elements", () => S4SegLibrary.SavePng(notAnImage, new byte[3], 2, 2, 1));
  }
}

}

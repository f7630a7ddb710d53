using System.IO;
using System.Linq;

namespace S4Seg.Tests {

/// <summary>Dataset: synthetic samples, samples from memory and from list files.</summary>
static class DatasetTests {
  [Test]
  public static void SyntheticSamplesHaveImagesAndMasks() {
    using (var data = Tiny.Data(5, 1)) {
      Check.Equal(5L, data.Size, "size");
      using (var image = data.GetImage(4))
      using (var mask = data.GetMask(4)) {
        Check.Equal(Tiny.Side, image.Width, "image width");
        Check.Equal(Tiny.Side, image.Height, "image height");
        Check.Equal(1, mask.Channels, "mask channels");
        Check.True(mask.GetData().All(label => label < Tiny.Classes || label == 255), "mask values are classes or 255");
      }
      Check.Throws(Status.InvalidArgument, "", () => data.GetImage(5));
    }
  }

  [Test]
  public static void SamplesFromMemoryKeepTheirMasks() {
    byte[] image = Tiny.Flat(8, 8, 3, 100);
    byte[] mask = Tiny.Flat(8, 8, 1, 2);
    using (var data = new Dataset()) {
      data.Add(image, 8, 8, 3, mask);
      data.Add(image, 8, 8, 3);
      Check.Equal(2L, data.Size, "size");
      using (var stored = data.GetMask(0)) Check.SameElements(mask, stored.GetData(), "stored mask");
      Check.Equal(null, data.GetMask(1), "mask of a sample added without one");
      Check.Throws(Status.InvalidArgument, "mask has 63 elements, expected 64", () => data.Add(image, 8, 8, 3, new byte[63]));
      Check.Throws(Status.InvalidArgument, "image has 191 elements", () => data.Add(new byte[191], 8, 8, 3, mask));
      Check.Equal(2L, data.Size, "size after rejected samples");
    }
  }

  [Test]
  public static void ListFilesAddTheirSamples() {
    string root = TestRunner.TempFolder;
    S4SegLibrary.SavePng(Path.Combine(root, "a.png"), Tiny.Flat(16, 16, 3, 50), 16, 16, 3);
    S4SegLibrary.SavePng(Path.Combine(root, "a_mask.png"), Tiny.Flat(16, 16, 1, 1), 16, 16, 1);
    S4SegLibrary.SavePng(Path.Combine(root, "b.png"), Tiny.Flat(16, 16, 3, 150), 16, 16, 3);
    File.WriteAllText(Path.Combine(root, "list.txt"), "a.png a_mask.png\nb.png\n");
    using (var data = new Dataset()) {
      data.AddList(root, Path.Combine(root, "list.txt"));
      Check.Equal(2L, data.Size, "samples from the list");
      using (var mask = data.GetMask(0)) Check.True(mask.GetData().All(label => label == 1), "mask from the list");
      Check.Throws(Status.Io, "missing.txt", () => data.AddList(root, Path.Combine(root, "missing.txt")));
    }
  }
}

}

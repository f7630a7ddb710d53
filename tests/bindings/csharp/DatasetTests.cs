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

  /// <summary>Two 16 x 12 PNG images with masks and a list file naming them, in the test's folder;
  /// returns the list file.</summary>
  static string TwoSampleList(string root) {
    foreach (string name in new[] { "a", "b" }) {
      using (var image = new Image(Tiny.Flat(16, 12, 3, 80), 16, 12, 3)) image.SavePng(Path.Combine(root, name + ".png"));
      S4SegLibrary.SavePng(Path.Combine(root, name + "_mask.png"), Tiny.Flat(16, 12, 1, 2), 16, 12, 1);
    }
    string list = Path.Combine(root, "list.txt");
    File.WriteAllText(list, "a.png a_mask.png\nb.png b_mask.png\n");
    return list;
  }

  [Test]
  public static void CacheKeepsDecodedSamples() {
    string root = TestRunner.TempFolder;
    string list = TwoSampleList(root);
    using (var data = new Dataset()) {
      data.AddList(root, list);
      CacheStats empty = data.GetCacheStats();
      Check.Equal(0UL, empty.Bytes, "bytes before any read");
      Check.Equal(0UL, empty.Hits, "hits before any read");
      Check.Equal(0UL, empty.Misses, "misses before any read");

      data.SetCache(1UL << 20);
      for (int round = 0; round < 2; ++round)
        for (long i = 0; i < 2; ++i)
          using (var image = data.GetImage(i)) Check.Equal(16, image.Width, "width");
      CacheStats stats = data.GetCacheStats();
      Check.Equal(2UL, stats.Misses, "misses: each sample decoded once");
      Check.Equal(2UL, stats.Hits, "hits: each sample served once from memory");
      Check.Equal(2UL * (16 * 12 * 3 + 16 * 12), stats.Bytes, "bytes held: two images and masks");

      data.SetCache(0);
      Check.Equal(0UL, data.GetCacheStats().Bytes, "bytes after the cache is turned off");
    }
  }

  [Test]
  public static void LayoutsAddFolderSamples() {
    string root = TestRunner.TempFolder;
    string list = TwoSampleList(root);
    using (var data = new Dataset()) {
      data.AddLayout(Layout.List, root, list);
      Check.Equal(2L, data.Size, "samples with masks");
      using (var mask = data.GetMask(1)) Check.True(mask.GetData().All(label => label == 2), "mask from the layout");
      data.AddLayout(Layout.List, root, list, DatasetFlags.IgnoreMasks);
      Check.Equal(4L, data.Size, "samples after the unlabeled copy");
      Check.Equal(null, data.GetMask(3), "IgnoreMasks gives samples without masks");

      Check.Throws(Status.InvalidArgument, "unknown dataset layout 7", () => data.AddLayout((Layout)7, root, list));
      Check.Throws(Status.InvalidArgument, "flags", () => data.AddLayout(Layout.List, root, list, (DatasetFlags)2));
      Check.Throws(Status.Io, "no-such-root", () => data.AddLayout(Layout.Voc, Path.Combine(root, "no-such-root"), "train"));
      Check.Throws(Status.Io, "", () => data.AddLayout(Layout.Cityscapes, Path.Combine(root, "no-such-root"), "train",
                                                        DatasetFlags.IgnoreMasks));
      Check.Equal(4L, data.Size, "size after the failed calls");
    }
  }
}

}

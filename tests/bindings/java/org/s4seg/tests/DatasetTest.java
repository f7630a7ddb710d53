package org.s4seg.tests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.s4seg.Dataset;
import org.s4seg.Image;
import org.s4seg.CacheStats;
import org.s4seg.ImageMode;
import org.s4seg.Layout;
import org.s4seg.S4Seg;
import org.s4seg.S4SegException;
import org.s4seg.Status;

/** Datasets (memory, list files, synthetic) and images. */
final class DatasetTest {
  /** A w x h x c image whose bytes are a simple function of their index. */
  static byte[] pattern(int width, int height, int channels) {
    byte[] image = new byte[width * height * channels];
    for (int i = 0; i < image.length; ++i) image[i] = (byte) (i * 7 + 3);
    return image;
  }

  /** A w x h mask of classes 0..classes-1 in vertical stripes. */
  static byte[] stripes(int width, int height, int classes) {
    byte[] mask = new byte[width * height];
    for (int i = 0; i < mask.length; ++i) mask[i] = (byte) ((i % width) * classes / width);
    return mask;
  }

  @Test
  public void addedSamplesComeBackUnchanged() {
    byte[] image = pattern(20, 16, 3);
    byte[] mask = stripes(20, 16, 3);
    byte[] grey = pattern(20, 16, 1);
    try (Dataset dataset = new Dataset()) {
      dataset.add(image, 20, 16, 3, mask);
      dataset.add(grey, 20, 16, 1);
      Check.equal(2, dataset.size(), "size");
      try (Image first = dataset.getImage(0); Image firstMask = dataset.getMask(0); Image second = dataset.getImage(1)) {
        Check.equal(20, first.width(), "width");
        Check.equal(16, first.height(), "height");
        Check.equal(3, first.channels(), "channels");
        Check.sameBytes(image, first.getData(), "image");
        Check.sameBytes(mask, firstMask.getData(), "mask");
        Check.sameBytes(grey, second.getData(), "grey image");
      }
      Check.isTrue(dataset.getMask(1) == null, "a sample without mask has a null mask");
    }
  }

  @Test
  public void syntheticSamplesAreDeterministic() {
    try (Dataset a = Fixtures.synthetic(3, 7); Dataset b = Fixtures.synthetic(3, 7);
         Image imageA = a.getImage(2); Image imageB = b.getImage(2); Image mask = a.getMask(2)) {
      Check.equal(3, a.size(), "size");
      Check.sameBytes(imageA.getData(), imageB.getData(), "same seed, same image");
      for (byte label : mask.getData()) Check.isTrue(label >= 0 && label < Fixtures.CLASSES, "mask label " + label);
    }
  }

  @Test
  public void listFilesAndPngFilesRoundTrip() throws Exception {
    Path dir = Fixtures.tempDir("list");
    byte[] image = pattern(24, 18, 3);
    byte[] mask = stripes(24, 18, 3);
    try (Image png = new Image(image, 24, 18, 3)) {
      png.savePng(dir.resolve("a.png").toString());
    }
    S4Seg.savePng(dir.resolve("a_mask.png").toString(), mask, 24, 18, 1);
    Files.write(dir.resolve("list.txt"), "# image mask\na.png a_mask.png\n".getBytes(StandardCharsets.UTF_8));

    try (Image loaded = Image.load(dir.resolve("a.png").toString());
         Image indices = Image.load(dir.resolve("a_mask.png").toString(), ImageMode.INDICES)) {
      Check.sameBytes(image, loaded.getData(), "PNG image");
      Check.sameBytes(mask, indices.getData(), "PNG mask");
    }
    try (Dataset dataset = new Dataset()) {
      dataset.addList(dir.toString(), dir.resolve("list.txt").toString());
      Check.equal(1, dataset.size(), "list samples");
      try (Image loadedMask = dataset.getMask(0)) {
        Check.sameBytes(mask, loadedMask.getData(), "list mask");
      }
    }
  }

  /** Two 16 x 12 PNG images with masks and a list file naming them, in a fresh directory. */
  private static Path twoSampleList() throws Exception {
    Path dir = Fixtures.tempDir("layout");
    for (String name : new String[] {"a", "b"}) {
      try (Image png = new Image(pattern(16, 12, 3), 16, 12, 3)) {
        png.savePng(dir.resolve(name + ".png").toString());
      }
      S4Seg.savePng(dir.resolve(name + "_mask.png").toString(), stripes(16, 12, 3), 16, 12, 1);
    }
    Files.write(dir.resolve("list.txt"), "a.png a_mask.png\nb.png b_mask.png\n".getBytes(StandardCharsets.UTF_8));
    return dir;
  }

  @Test
  public void cacheKeepsDecodedSamples() throws Exception {
    Path dir = twoSampleList();
    try (Dataset dataset = new Dataset()) {
      dataset.addList(dir.toString(), dir.resolve("list.txt").toString());
      CacheStats empty = dataset.cacheStats();
      Check.equal(0, empty.bytes(), "bytes before any read");
      Check.equal(0, empty.hits(), "hits before any read");
      Check.equal(0, empty.misses(), "misses before any read");

      dataset.setCache(1 << 20);
      for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 2; ++i) {
          try (Image image = dataset.getImage(i)) {
            Check.equal(16, image.width(), "width");
          }
        }
      }
      CacheStats stats = dataset.cacheStats();
      Check.equal(2, stats.misses(), "misses: each sample decoded once");
      Check.equal(2, stats.hits(), "hits: each sample served once from memory");
      Check.equal(2L * (16 * 12 * 3 + 16 * 12), stats.bytes(), "bytes held: two images and masks");

      dataset.setCache(0);
      Check.equal(0, dataset.cacheStats().bytes(), "bytes after the cache is turned off");
      S4SegException e = Check.fails(Status.INVALID_ARGUMENT, () -> dataset.setCache(-1));
      Check.contains(e.getMessage(), "bytes is negative", "message");
    }
  }

  @Test
  public void layoutsAddFolderSamples() throws Exception {
    Path dir = twoSampleList();
    String list = dir.resolve("list.txt").toString();
    try (Dataset dataset = new Dataset()) {
      dataset.addLayout(Layout.LIST, dir.toString(), list);
      Check.equal(2, dataset.size(), "samples with masks");
      try (Image mask = dataset.getMask(1)) {
        Check.sameBytes(stripes(16, 12, 3), mask.getData(), "mask from the layout");
      }
      dataset.addLayout(Layout.LIST, dir.toString(), list, Dataset.IGNORE_MASKS);
      Check.equal(4, dataset.size(), "samples after the unlabeled copy");
      Check.isTrue(dataset.getMask(3) == null, "IGNORE_MASKS gives samples without masks");

      S4SegException e = Check.fails(Status.INVALID_ARGUMENT, () -> dataset.addLayout(null, dir.toString(), list));
      Check.contains(e.getMessage(), "layout", "message of a null layout");
      Check.fails(Status.INVALID_ARGUMENT, () -> dataset.addLayout(Layout.LIST, dir.toString(), list, 2));
      Check.fails(Status.IO, () -> dataset.addLayout(Layout.VOC, dir.resolve("no-such-root").toString(), "train"));
      Check.fails(Status.IO,
          () -> dataset.addLayout(Layout.CITYSCAPES, dir.resolve("no-such-root").toString(), "train", Dataset.IGNORE_MASKS));
      Check.equal(4, dataset.size(), "size after the failed calls");
    }
  }

  @Test
  public void pixelsIntoFillsACallerArray() {
    byte[] image = pattern(5, 4, 3);
    try (Image created = new Image(image, 5, 4, 3)) {
      byte[] pixels = new byte[5 * 4 * 3];
      created.pixelsInto(pixels);
      Check.sameBytes(image, pixels, "pixelsInto");
    }
  }
}

package org.s4seg.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

import org.s4seg.Config;
import org.s4seg.Dataset;

/** Shared test data: the tiny model every test trains, synthetic datasets and a temp directory. */
final class Fixtures {
  static final int SIDE = 32;
  static final int CLASSES = 3;
  static final int ITERS = 4;

  /** A network small enough for the 1000-model loop, on the CPU (as the C tests use). */
  static final String TINY = String.join("\n",
      "device = cpu",
      "model.backbone = resnet18",
      "model.width = 8",
      "model.output_stride = 16",
      "model.aspp_channels = 16",
      "model.low_level_channels = 8",
      "model.num_classes = " + CLASSES,
      "train.iters = " + ITERS,
      "train.batch_size = 2",
      "train.crop_size = 32",
      "train.seed = 1",
      "train.threads = 1",
      "train.workers = 0",
      "train.log_every = 1",
      "train.method = supervised");

  private static Path runDirectory;

  private Fixtures() {}

  static Config tinyConfig() {
    return Config.fromText(TINY);
  }

  /** {@code count} synthetic SIDE x SIDE RGB samples with masks. */
  static Dataset synthetic(int count, long seed) {
    return Dataset.synthetic(count, SIDE, SIDE, CLASSES, seed);
  }

  /** A fresh, empty directory under this run's temporary directory. */
  static synchronized Path tempDir(String name) {
    try {
      if (runDirectory == null) {
        Path base = Paths.get(System.getProperty("s4seg.test.tmp", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        runDirectory = Files.createTempDirectory(base, "java-");
      }
      return Files.createTempDirectory(runDirectory, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes this run's temporary files unless S4SEG_TEST_KEEP=1 (to inspect them). */
  static synchronized void removeTempFiles() throws IOException {
    if (runDirectory == null || "1".equals(System.getenv("S4SEG_TEST_KEEP"))) return;
    try (Stream<Path> paths = Files.walk(runDirectory)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) Files.delete(path);
    }
    runDirectory = null;
  }
}

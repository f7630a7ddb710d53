package org.s4seg.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.s4seg.Config;
import org.s4seg.Model;
import org.s4seg.S4SegException;

/**
 * Native memory does not grow: resident set size after a warm-up compared with the size after many
 * more create/close or failing calls.
 */
final class LeakTest {
  private static final int WARM_UP = 50;
  private static final int MODELS = 1000;
  private static final long TOLERANCE_KB = 20 * 1024;
  /** A failing call that leaked its borrowed arrays would lose this much each time. */
  private static final int ARRAY_BYTES = 512 * 1024;
  private static final int FAILING_CALLS = 1000;

  /** VmRSS of this process in kB. */
  private static long residentKb() throws IOException {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.US_ASCII)) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    throw new IOException("no VmRSS in /proc/self/status");
  }

  private static long settledResidentKb() throws IOException {
    System.gc();
    return residentKb();
  }

  private static void checkGrowth(String what, long before, long after) {
    System.out.printf("  %s: VmRSS %d kB after warm-up, %d kB at the end (%+d kB)%n", what, before, after,
        after - before);
    Check.isTrue(after - before < TOLERANCE_KB, what + " grew resident memory by " + (after - before) + " kB");
  }

  @Test
  public void creatingAndClosingModelsLeaksNothing() throws IOException {
    try (Config config = Fixtures.tinyConfig()) {
      for (int i = 0; i < WARM_UP; ++i) new Model(config).close();
      long before = settledResidentKb();
      for (int i = 0; i < MODELS; ++i) {
        try (Model model = new Model(config)) {
          Check.equal(Fixtures.CLASSES, model.numClasses(), "classes");
        }
      }
      checkGrowth(MODELS + " models", before, settledResidentKb());
    }
  }

  @Test
  public void failingCallsReleaseTheirArrays() throws IOException {
    byte[] image = new byte[ARRAY_BYTES];
    byte[] labels = new byte[ARRAY_BYTES];
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      // Sizes that do not match the arrays: the call fails after the arrays were borrowed.
      Runnable failing = () -> {
        try {
          model.predictInto(image, 16, 16, 3, labels, null);
          throw new AssertionError("a mismatched buffer was accepted");
        } catch (S4SegException expected) {
          // the arrays must be handed back all the same
        }
      };
      for (int i = 0; i < WARM_UP; ++i) failing.run();
      long before = settledResidentKb();
      for (int i = 0; i < FAILING_CALLS; ++i) failing.run();
      checkGrowth(FAILING_CALLS + " failing predictInto calls", before, settledResidentKb());
    }
  }
}

package org.s4seg.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.s4seg.Config;
import org.s4seg.Dataset;
import org.s4seg.Image;
import org.s4seg.Model;
import org.s4seg.S4SegException;
import org.s4seg.Status;
import org.s4seg.Trainer;

/** Each kind of bad input raises S4SegException with the C status and message. */
final class ErrorTest {
  private static final int SIDE = Fixtures.SIDE;

  @Test
  public void wrongBufferSizesAreRejected() {
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      byte[] image = new byte[SIDE * SIDE * 3];
      S4SegException e = Check.fails(Status.INVALID_ARGUMENT,
          () -> model.predictInto(image, SIDE, SIDE, 3, new byte[SIDE * SIDE - 1], null));
      Check.contains(e.getMessage(), "label buffer has " + (SIDE * SIDE - 1) + " elements", "message");
      Check.fails(Status.INVALID_ARGUMENT, () -> model.predict(new byte[SIDE * SIDE * 3 - 1], SIDE, SIDE, 3));
      Check.fails(Status.INVALID_ARGUMENT,
          () -> model.predictInto(image, SIDE, SIDE, 3, new byte[SIDE * SIDE], new float[SIDE * SIDE + 1]));
      Check.fails(Status.INVALID_ARGUMENT, () -> model.predict(image, SIDE, SIDE, 2));
      Check.fails(Status.INVALID_ARGUMENT, () -> model.predict(null, SIDE, SIDE, 3));
      Check.fails(Status.INVALID_ARGUMENT, () -> new Image(new byte[10], 4, 4, 1));
      try (Dataset dataset = new Dataset()) {
        Check.fails(Status.INVALID_ARGUMENT, () -> dataset.add(new byte[16], 4, 4, 1, new byte[15]));
        Check.equal(0, dataset.size(), "nothing added");
      }
    }
  }

  @Test
  public void directBuffersAreChecked() {
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config)) {
      ByteBuffer image = ByteBuffer.allocateDirect(SIDE * SIDE * 3);
      ByteBuffer labels = ByteBuffer.allocateDirect(SIDE * SIDE);
      Check.fails(Status.INVALID_ARGUMENT,
          () -> model.predictInto(ByteBuffer.allocate(SIDE * SIDE * 3), SIDE, SIDE, 3, labels));
      Check.fails(Status.INVALID_ARGUMENT,
          () -> model.predictInto(image, SIDE, SIDE, 3, ByteBuffer.allocate(SIDE * SIDE)));
      Check.fails(Status.INVALID_ARGUMENT,
          () -> model.predictInto(image, SIDE, SIDE, 3, ByteBuffer.allocateDirect(SIDE * SIDE - 1)));
      Check.fails(Status.INVALID_ARGUMENT,
          () -> model.predictInto(image, SIDE, SIDE, 3, labels.asReadOnlyBuffer()));
      FloatBuffer wrongOrder = ByteBuffer.allocateDirect(4 * SIDE * SIDE).order(
          ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).asFloatBuffer();
      Check.fails(Status.INVALID_ARGUMENT, () -> model.predictInto(image, SIDE, SIDE, 3, labels, wrongOrder));
      Check.fails(Status.INVALID_ARGUMENT, () -> model.predictInto(image, SIDE, SIDE, 3, (ByteBuffer) null));
    }
  }

  @Test
  public void unknownKeysAndBadValuesAreRejected() {
    try (Config config = new Config()) {
      S4SegException e = Check.fails(Status.INVALID_ARGUMENT, () -> config.setInt("no.such.key", 1));
      Check.contains(e.getMessage(), "no.such.key", "message names the key");
      Check.equal(Status.INVALID_ARGUMENT.code(), e.getCode(), "int code");
      Check.contains(e.getMessage(), e.getDetail(), "getMessage includes the C message");
      Check.fails(Status.INVALID_ARGUMENT, () -> config.getString("no.such.key"));
      Check.fails(Status.INVALID_ARGUMENT, () -> config.setInt("model.num_classes", 1));
      Check.fails(Status.INVALID_ARGUMENT, () -> config.setString("train.iters", "many"));
      Check.fails(Status.INVALID_ARGUMENT, () -> config.set("train.method", "magic"));
      Check.fails(Status.INVALID_ARGUMENT, () -> config.getInt(null));
    }
  }

  @Test
  public void missingAndCorruptFilesAreReported() throws Exception {
    Path dir = Fixtures.tempDir("files");
    String missing = dir.resolve("absent-\u00e9\uD83D\uDE00.s4seg").toString();
    S4SegException e = Check.fails(Status.IO, () -> Model.load(missing, "cpu"));
    Check.contains(e.getMessage(), missing, "message quotes the path, non-ASCII included");
    Check.fails(Status.IO, () -> Image.load(missing));
    Path corrupt = dir.resolve("corrupt.s4seg");
    Files.write(corrupt, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Check.fails(Status.FORMAT, () -> Model.load(corrupt.toString(), "cpu"));
    try (Dataset dataset = new Dataset()) {
      Check.fails(Status.IO, () -> dataset.addList(dir.toString(), dir.resolve("no-list.txt").toString()));
    }
  }

  @Test
  public void invalidRequestsAreRejected() {
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config);
         Dataset unlabeled = new Dataset(); Dataset empty = new Dataset()) {
      unlabeled.add(new byte[SIDE * SIDE * 3], SIDE, SIDE, 3);
      Check.fails(Status.INVALID_ARGUMENT, () -> model.evaluate(unlabeled)); // samples without masks
      Check.fails(Status.INVALID_ARGUMENT, () -> model.evaluate(null));
      Check.fails(Status.INVALID_ARGUMENT, () -> new Trainer(null, empty, config).close());
      Check.fails(Status.INVALID_ARGUMENT, () -> new Trainer(model, null, config).close());
      Check.fails(Status.INVALID_ARGUMENT, () -> empty.getImage(0));
      Check.fails(Status.INVALID_ARGUMENT, () -> Dataset.synthetic(1, SIDE, SIDE, 1, 0)); // 1 class
    }
  }
}

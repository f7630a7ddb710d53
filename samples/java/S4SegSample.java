import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.s4seg.Config;
import org.s4seg.Dataset;
import org.s4seg.Evaluation;
import org.s4seg.Image;
import org.s4seg.Model;
import org.s4seg.S4Seg;
import org.s4seg.S4SegException;
import org.s4seg.Trainer;
import org.s4seg.TrainStats;

/**
 * The s4seg Java binding in one program: train a small model on synthetic data for a few
 * iterations, save it, load it back, predict one image and print the validation mIoU.
 *
 * <pre>
 * usage: java -Djava.library.path=DIR -cp s4seg.jar:. S4SegSample [MODEL_PATH]
 * </pre>
 *
 * Without MODEL_PATH the model goes to a temporary file that is deleted at the end.
 */
public final class S4SegSample {
  /** A deliberately tiny network and schedule, so the sample runs in seconds on a CPU. */
  private static final String CONFIG = String.join("\n",
      "device = cpu",
      "model.num_classes = 3",
      "model.backbone = resnet18",
      "model.width = 8",
      "model.output_stride = 16",
      "model.aspp_channels = 16",
      "model.low_level_channels = 8",
      "train.iters = 6",
      "train.batch_size = 2",
      "train.crop_size = 32",
      "train.seed = 1",
      "train.threads = 1",
      "train.workers = 0");

  private S4SegSample() {}

  public static void main(String[] args) throws Exception {
    Path modelPath = args.length > 0 ? Paths.get(args[0]) : Files.createTempFile("s4seg-sample", ".s4seg");
    try {
      run(modelPath);
    } catch (S4SegException e) {
      System.err.println("s4seg failed: " + e.getMessage());
      System.exit(1);
    } finally {
      if (args.length == 0) Files.deleteIfExists(modelPath);
    }
  }

  private static void run(Path modelPath) {
    System.out.println("s4seg " + S4Seg.version() + " (LibTorch " + S4Seg.backendVersion() + ")");
    // try-with-resources frees every native object deterministically, in any order.
    try (Config config = Config.fromText(CONFIG);
         Dataset train = Dataset.synthetic(16, 32, 32, 3, 1);
         Dataset validation = Dataset.synthetic(4, 32, 32, 3, 2);
         Model model = new Model(config);
         Trainer trainer = new Trainer(model, train, config)) {
      TrainStats stats;
      do {
        stats = trainer.step(2);
        System.out.println(stats);
      } while (!stats.finished());

      model.save(modelPath.toString());
      System.out.println("saved " + modelPath);

      try (Model loaded = Model.load(modelPath.toString(), "cpu");
           Image image = validation.getImage(0)) {
        byte[] labels = loaded.predict(image.getData(), image.width(), image.height(), image.channels());
        int[] pixelsPerClass = new int[loaded.numClasses()];
        for (byte label : labels) pixelsPerClass[Byte.toUnsignedInt(label)]++;
        System.out.printf("predicted a %dx%d label map; pixels per class %s%n", image.width(), image.height(),
            java.util.Arrays.toString(pixelsPerClass));

        Evaluation evaluation = loaded.evaluate(validation);
        System.out.printf("validation mIoU %.4f (pixel accuracy %.4f)%n", evaluation.miou(),
            evaluation.pixelAccuracy());
      }
    }
  }
}

namespace S4Seg {

/// <summary>
/// A segmentation network: created from the model.* keys of a config, or loaded from a model file
/// or trainer checkpoint; predicts class indices per pixel.
/// Thread safety: Predict and Evaluate on one model are serialised inside the library; do not use a
/// model while its trainer is inside <see cref="Trainer.Step"/>. Dispose when done; a trainer or
/// labeler keeps its model alive, so the model may be disposed before them.
/// </summary>
public partial class Model {
  /// <summary>A freshly initialised model from the default config.</summary>
  public Model() : this((Config)null) {
  }

  /// <summary>Loads a model file or a trainer checkpoint onto the "auto" device.</summary>
  public static Model Load(string path) => Load(path, null);

  /// <summary>Number of classes the model predicts.</summary>
  public int NumClasses => GetNumClasses();

  /// <summary>The device the model runs on ("cpu", "cuda:0", ...).</summary>
  public string Device => GetDevice();

  /// <summary>The name of every class, in class order (see <see cref="ClassName"/>).</summary>
  public System.Collections.Generic.IReadOnlyList<string> ClassNames() {
    int classes = NumClasses;
    var names = new string[classes];
    for (int i = 0; i < classes; ++i) names[i] = ClassName(i);
    return System.Array.AsReadOnly(names);
  }

  /// <summary>The display colour of each class: 3 bytes (R, G, B) per class, from model.palette.</summary>
  public byte[] Palette() {
    var palette = new byte[3L * NumClasses];
    PaletteInto(palette);
    return palette;
  }

  /// <summary>
  /// Predicts one image (1 or 3 channels, rows without padding, at least 8x8): a new array of
  /// width x height class indices, row-major.
  /// </summary>
  /// <exception cref="S4SegException">InvalidArgument when <paramref name="image"/> does not hold
  /// width x height x channels bytes.</exception>
  public byte[] Predict(byte[] image, int width, int height, int channels) {
    var labels = new byte[BufferSizes.PixelsOf(image, width, height, channels)];
    PredictInto(image, width, height, channels, labels, null);
    return labels;
  }

  /// <summary>Scores the model on every masked sample of <paramref name="dataset"/>.</summary>
  public Evaluation Evaluate(Dataset dataset) {
    var scores = new double[2 + NumClasses];
    EvaluateInto(dataset, scores);
    return new Evaluation(scores);
  }
}

}

/*
 * The Java face of each handle class: Javadoc for the methods the core declares, the allocating
 * conveniences (predict, evaluate, step, label, getData ...) and the zero-copy predictInto overload
 * for direct buffers. Method names below are the C names; the rename rule makes them lowerCamel.
 */

/* ------------------------------------------------------------------------------------------ */
/* Config                                                                                      */
/* ------------------------------------------------------------------------------------------ */

%typemap(javaclassmodifiers) struct s4b_config "/**
 * Typed options by dotted key (\"model.num_classes\", \"train.iters\" ...); S4Seg.configKeys() lists
 * them. Wrong types, unknown keys and out-of-range values throw S4SegException(INVALID_ARGUMENT).
 * Thread safety: reads from several threads at once; writes need exclusive access.
 */
public final class"
%javamethodmodifiers s4b_config::s4b_config "/** A config holding every key's default. */\n  public"
%javamethodmodifiers s4b_config::clone "/** An independent copy. */\n  @Override\n  public"
%javamethodmodifiers s4b_config::set_int "/** Sets an integer key. */\n  public"
%javamethodmodifiers s4b_config::set_double "/** Sets a floating-point key. */\n  public"
%javamethodmodifiers s4b_config::set_bool "/** Sets a boolean key. */\n  public"
%javamethodmodifiers s4b_config::set_string "/** Sets a string key. */\n  public"
%javamethodmodifiers s4b_config::set "/** Sets any key from text, converted to the key's type. */\n  public"
%javamethodmodifiers s4b_config::get_int "/** An integer key's value. */\n  public"
%javamethodmodifiers s4b_config::get_double "/** A floating-point key's value. */\n  public"
%javamethodmodifiers s4b_config::get_bool "/** A boolean key's value. */\n  public"
%javamethodmodifiers s4b_config::get_string "/** Any key's value as text. */\n  public"
%javamethodmodifiers s4b_config::parse "/** Applies {@code key = value} lines ('#' comments allowed); all or nothing. */\n  public"

%typemap(javacode) struct s4b_config %{
  /** A config with the defaults overridden by {@code key = value} lines (see parse). */
  public static Config fromText(String text) {
    Config config = new Config();
    try {
      config.parse(text);
    } catch (RuntimeException e) {
      config.close();
      throw e;
    }
    return config;
  }

  /** Every key's current value as text, in the order of S4Seg.configKeys(). */
  public java.util.Map<String, String> toMap() {
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
    for (ConfigKey key : S4Seg.configKeys()) values.put(key.name(), getString(key.name()));
    return values;
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Image                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Image.load takes the ImageMode enum where the core has an int. */
%typemap(jstype) int mode "ImageMode"
%typemap(javain) int mode "$javainput.swigValue()"

%typemap(javaclassmodifiers) struct s4b_image "/**
 * An 8-bit image owned by the library (1 or 3 channels, rows without padding).
 * Thread safety: immutable; may be read from several threads.
 */
public final class"
%javamethodmodifiers s4b_image::s4b_image "/** Copies width x height x channels bytes (1 or 3 channels). */\n  public"
%javamethodmodifiers s4b_image::load "/** Decodes a PNG or JPEG file; a missing file throws IO, a corrupt one FORMAT. */\n  public"
%javamethodmodifiers s4b_image::width "/** Width in pixels. */\n  public"
%javamethodmodifiers s4b_image::height "/** Height in pixels. */\n  public"
%javamethodmodifiers s4b_image::channels "/** 1 (grey or class indices) or 3 (RGB). */\n  public"
%javamethodmodifiers s4b_image::pixels_into "/** Copies the pixels into {@code pixels}, which must hold exactly width x height x channels bytes. */\n  public"
%javamethodmodifiers s4b_image::save_png "/** Writes the image as PNG. */\n  public"

%typemap(javacode) struct s4b_image %{
  /** Decodes a file with ImageMode.AUTO (1 channel for grey files, 3 otherwise). */
  public static Image load(String path) {
    return load(path, ImageMode.AUTO);
  }

  /** A copy of the pixels: width x height x channels bytes, rows without padding. */
  public byte[] getData() {
    byte[] data = new byte[Buffers.arrayLength((long) width() * height() * channels())];
    pixelsInto(data);
    return data;
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Dataset                                                                                     */
/* ------------------------------------------------------------------------------------------ */

%typemap(javaclassmodifiers) struct s4b_dataset "/**
 * Ordered samples: an image and an optional mask of class indices (255 = ignore).
 * Thread safety: adding needs exclusive access; a dataset no longer added to may be shared.
 */
public final class"
%javamethodmodifiers s4b_dataset::s4b_dataset "/** An empty dataset. */\n  public"
%javamethodmodifiers s4b_dataset::add "/**\n   * Copies an image (1 or 3 channels) and, when {@code mask} is not null, its 1-channel mask of the\n   * same size (class indices, 255 = ignore).\n   */\n  public"
%javamethodmodifiers s4b_dataset::add_list "/**\n   * Adds the samples of a list file (one {@code IMAGE [MASK]} per line, paths relative to {@code root});\n   * all or nothing.\n   */\n  public"
%javamethodmodifiers s4b_dataset::add_synthetic "/**\n   * Appends {@code count} synthetic scenes of textured shapes (class 0 = background, every pixel\n   * labelled), deterministic in {@code seed}.\n   */\n  public"
%javamethodmodifiers s4b_dataset::add_layout "/**
   * Adds the samples of a benchmark folder as published ({@code root}: the folder holding
   * JPEGImages/ for VOC, leftImg8bit/ and gtFine/ for Cityscapes). {@code split} is a split name
   * (\"train\", \"val\" ...) or the path of a split file; for LIST it is the list file.
   * {@code flags}: 0 or IGNORE_MASKS. All or nothing. A null layout or unknown flags throw
   * INVALID_ARGUMENT; a missing root, split file or split folder IO; a malformed split line FORMAT.
   */\n  public"
%javamethodmodifiers s4b_dataset::set_cache "/**
   * Keeps up to {@code bytes} of decoded file-backed samples (image + mask pixels) in memory for
   * reuse, least recently used evicted first; 0 (the default) keeps none. Negative throws
   * INVALID_ARGUMENT. Safe while trainers read the dataset.
   */\n  public"
%javamethodmodifiers s4b_dataset::cache_stats_into "/* Layout of the figures: see CacheStats. */\n  "
%javamethodmodifiers s4b_dataset::size "/** Number of samples. */\n  public"
%javamethodmodifiers s4b_dataset::get_image "/** Sample {@code index}'s image (a new handle to close). */\n  public"
%javamethodmodifiers s4b_dataset::get_mask "/** Sample {@code index}'s mask (a new handle to close), or null when it has none. */\n  public"

/* addLayout takes the Layout enum where the core has an int (null reaches C as -1, an unknown
 * layout); flags are an int (bits other than IGNORE_MASKS are rejected in C); the cache size is a
 * long, checked for a negative value before it becomes a uint64_t. */
%typemap(jstype) int layout "Layout"
%typemap(javain) int layout "($javainput == null ? -1 : $javainput.swigValue())"
%apply int { uint32_t flags };
%apply int64_t { uint64_t bytes };
%typemap(javain) uint64_t bytes "Buffers.nonNegative($javainput, \"bytes\")"

%typemap(javacode) struct s4b_dataset %{
  /** addLayout flag: the masks a split names are neither checked nor read; the samples have none. */
  public static final int IGNORE_MASKS = 1;

  /** Adds the samples of a benchmark folder with their masks (see the overload with flags). */
  public void addLayout(Layout layout, String root, String split) {
    addLayout(layout, root, split, 0);
  }

  /** The decoded-sample cache's figures since the dataset was created. */
  public CacheStats cacheStats() {
    long[] figures = new long[CacheStats.FIELD_COUNT];
    cacheStatsInto(figures);
    return new CacheStats(figures);
  }

  /** Copies an image without a mask (an unlabeled sample). */
  public void add(byte[] image, int width, int height, int channels) {
    add(image, width, height, channels, null);
  }

  /** A new dataset of {@code count} synthetic samples (see addSynthetic). */
  public static Dataset synthetic(long count, int width, int height, int numClasses, long seed) {
    Dataset dataset = new Dataset();
    try {
      dataset.addSynthetic(count, width, height, numClasses, seed);
    } catch (RuntimeException e) {
      dataset.close();
      throw e;
    }
    return dataset;
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Model                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Zero-copy prediction. The core's predict_into does the checks and the call; this wrapper only
 * gives it direct-buffer typemaps (SWIG does not overload C functions, so it has its own name and
 * the public predictInto overloads below call it). SWIG emits that function as s4b_model_predict_into (the core's
 * %extend naming) possibly after this one, hence the declaration. */
%{
static void s4b_model_predict_into(struct s4seg_model* self, const uint8_t* image, size_t image_len, int32_t width,
                                   int32_t height, int32_t channels, uint8_t* labels, size_t labels_len,
                                   float* confidence, size_t confidence_len);
%}
/* The direct families are bound to these names, whose length names differ from those the core
 * binds to the array families. */
%apply (const uint8_t* DIRECT_BYTES_IN, size_t DIRECT_BYTES_IN_LEN) { (const uint8_t* image, size_t image_bytes) };
%apply (uint8_t* DIRECT_BYTES_OUT, size_t DIRECT_BYTES_OUT_LEN) { (uint8_t* labels, size_t label_bytes) };
%apply (float* DIRECT_FLOATS_OUT, size_t DIRECT_FLOATS_OUT_LEN) { (float* confidence, size_t confidence_floats) };
%javamethodmodifiers s4b_model::predict_into_direct "/* Called by the direct-buffer predictInto overloads. */\n  "
%extend s4b_model {
  void predict_into_direct(const uint8_t* image, size_t image_bytes, int32_t width, int32_t height, int32_t channels,
                           uint8_t* labels, size_t label_bytes, float* confidence, size_t confidence_floats) {
    s4b_model_predict_into($self, image, image_bytes, width, height, channels, labels, label_bytes, confidence,
                           confidence_floats);
  }
}

%typemap(javaclassmodifiers) struct s4b_model "/**
 * A segmentation network.
 * Thread safety: predict and evaluate on one model are serialised inside the library; do not use a
 * model while its trainer is inside step().
 */
public final class"
%javamethodmodifiers s4b_model::s4b_model "/** A new model from {@code config}'s model.* keys and device (null: defaults). */\n  public"
%javamethodmodifiers s4b_model::load "/**\n   * Loads a model file or trainer checkpoint onto {@code device} (null: \"auto\"). A missing file throws\n   * IO; a truncated, corrupt or foreign one FORMAT.\n   */\n  public"
%javamethodmodifiers s4b_model::save "/** Writes the weights and config to {@code path}. */\n  public"
%javamethodmodifiers s4b_model::num_classes "/** Number of classes the model predicts. */\n  public"
%javamethodmodifiers s4b_model::get_config "/** A copy of the config the model was built with. */\n  public"
%javamethodmodifiers s4b_model::device "/** The device the model runs on (\"cpu\", \"cuda:0\" ...). */\n  public"
%javamethodmodifiers s4b_model::load_backbone "/**
   * Loads pretrained encoder weights: a torchvision state dict ({@code torch.save} file) or a
   * safetensors file. Strict: a missing, unexpected or mis-shaped tensor throws FORMAT naming them,
   * and the model is unchanged; a missing file throws IO. Load before creating a trainer.
   */\n  public"
%javamethodmodifiers s4b_model::load_backbone_partial "/**
   * As loadBackbone, but loads the tensors that fit and leaves the others as they are
   * (backboneReport says which); a file of which nothing fits still throws FORMAT.
   */\n  public"
%javamethodmodifiers s4b_model::backbone_report "/**
   * A sentence on the latest encoder load of this model (\"loaded N encoder tensors from ...\",
   * with missing, unexpected or mis-shaped names); empty when none happened.
   */\n  public"
%javamethodmodifiers s4b_model::save_backbone "/** Writes the encoder's weights as a safetensors file with torchvision names (loadBackbone reads it). */\n  public"
%javamethodmodifiers s4b_model::class_name "/** The name of class {@code index} (0 to numClasses() - 1), from model.class_names. */\n  public"
%javamethodmodifiers s4b_model::palette_into "/** Copies the class colours into {@code palette}, which must hold exactly 3 x numClasses() bytes (R, G, B per class). */\n  public"
%javamethodmodifiers s4b_model::predict_into "/**\n   * Predicts one image into caller arrays: {@code labels} gets width x height class indices,\n   * {@code confidence} (null: not wanted) width x height top-class probabilities. Array lengths must\n   * match exactly.\n   */\n  public"
%javamethodmodifiers s4b_model::predict_batch_into "/** Predicts {@code count} images of one size, stored back to back; labels and confidence likewise. */\n  public"
%javamethodmodifiers s4b_model::evaluate_into "/* Layout of the scores: see Evaluation. */\n  "

%typemap(javacode) struct s4b_model %{
  /** A new model with the default config. */
  public Model() {
    this((Config) null);
  }

  /** The name of every class, in class order (see className). */
  public java.util.List<String> classNames() {
    int classes = numClasses();
    java.util.List<String> names = new java.util.ArrayList<>(classes);
    for (int i = 0; i < classes; ++i) names.add(className(i));
    return java.util.Collections.unmodifiableList(names);
  }

  /** The display colour of each class: 3 bytes (R, G, B, read as unsigned) per class, from model.palette. */
  public byte[] palette() {
    byte[] palette = new byte[Buffers.arrayLength(3L * numClasses())];
    paletteInto(palette);
    return palette;
  }

  /** Loads a model file or checkpoint onto the "auto" device. */
  public static Model load(String path) {
    return load(path, null);
  }

  /** Predicts one image into {@code labels} (width x height bytes), without confidence. */
  public void predictInto(byte[] image, int width, int height, int channels, byte[] labels) {
    predictInto(image, width, height, channels, labels, null);
  }

  /**
   * Zero-copy prediction: the remaining bytes of direct buffers (position to limit; positions do
   * not move) are read and written in place. {@code labels} must have width x height bytes
   * remaining; {@code confidence} may be null, or a direct FloatBuffer in native byte order with
   * width x height floats remaining. Heap or read-only buffers throw INVALID_ARGUMENT.
   */
  public void predictInto(java.nio.ByteBuffer image, int width, int height, int channels, java.nio.ByteBuffer labels,
                          java.nio.FloatBuffer confidence) {
    predictIntoDirect(image, width, height, channels, labels, confidence);
  }

  /** Zero-copy prediction without confidence (see the overload with a FloatBuffer). */
  public void predictInto(java.nio.ByteBuffer image, int width, int height, int channels, java.nio.ByteBuffer labels) {
    predictIntoDirect(image, width, height, channels, labels, null);
  }

  /** The class index of each pixel of one image (width x height bytes, row by row). */
  public byte[] predict(byte[] image, int width, int height, int channels) {
    byte[] labels = new byte[Buffers.arrayLength((long) width * height)];
    predictInto(image, width, height, channels, labels, null);
    return labels;
  }

  /** Labels of {@code count} images of one size stored back to back (count x width x height bytes). */
  public byte[] predictBatch(byte[] images, int count, int width, int height, int channels) {
    byte[] labels = new byte[Buffers.arrayLength((long) count * width * height)];
    predictBatchInto(images, count, width, height, channels, labels, null);
    return labels;
  }

  /** mIoU, pixel accuracy and per-class IoU over a dataset whose samples all have masks. */
  public Evaluation evaluate(Dataset dataset) {
    double[] scores = new double[2 + numClasses()];
    evaluateInto(dataset, scores);
    return new Evaluation(scores);
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Trainer                                                                                     */
/* ------------------------------------------------------------------------------------------ */

%typemap(javaclassmodifiers) struct s4b_trainer "/**
 * Trains a model in place with the train.* keys of a config; keeps its model and datasets alive.
 * Thread safety: one thread at a time, except cancel() from any thread.
 */
public final class"
%javamethodmodifiers s4b_trainer::s4b_trainer "/**\n   * A trainer for {@code model} on {@code labeled} (every sample needs a mask). {@code unlabeled} (may be null) is\n   * used by the semi-supervised train.method values; {@code config} may be null (defaults).\n   */\n  public"
%javamethodmodifiers s4b_trainer::step_into "/* Layout of the stats: see TrainStats. */\n  "
%javamethodmodifiers s4b_trainer::cancel "/** Stops a running (or the next) step after its current iteration; safe from any thread. */\n  public"
%javamethodmodifiers s4b_trainer::iteration "/** Iterations completed so far. */\n  public"
%javamethodmodifiers s4b_trainer::metric_count "/** Number of named metrics of the last step (see metrics()). */\n  public"
%javamethodmodifiers s4b_trainer::metric_name "/** Name of metric {@code index} (\"loss/supervised\" ...). */\n  public"
%javamethodmodifiers s4b_trainer::metric_value "/** Value of metric {@code index}. */\n  public"
%javamethodmodifiers s4b_trainer::save_checkpoint "/** Saves weights, optimizer and sampling state; Model.load also reads checkpoints. */\n  public"
%javamethodmodifiers s4b_trainer::resume "/** Restores a checkpoint; training continues exactly where it left off. */\n  public"

%typemap(javacode) struct s4b_trainer %{
  /** A supervised trainer (no unlabeled data). */
  public Trainer(Model model, Dataset labeled, Config config) {
    this(model, labeled, null, config);
  }

  /**
   * Runs up to {@code iterations} iterations (stopping at train.iters) and returns their figures.
   * Throws STATE once train.iters is reached, CANCELLED after cancel(), DIVERGED on a NaN loss.
   */
  public TrainStats step(long iterations) {
    double[] stats = new double[TrainStats.FIELD_COUNT];
    stepInto(iterations, stats);
    return new TrainStats(stats);
  }

  /** The named metrics of the last step (loss terms, pseudo-label figures), in library order. */
  public java.util.Map<String, Double> metrics() {
    java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>();
    long count = metricCount();
    for (long i = 0; i < count; ++i) metrics.put(metricName(i), metricValue(i));
    return metrics;
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Labeler                                                                                     */
/* ------------------------------------------------------------------------------------------ */

%typemap(javaclassmodifiers) struct s4b_labeler "/**
 * Filtered pseudo-labels from a trained model, with the pseudo.* keys of a config.
 * Thread safety: one thread at a time; keeps its model alive.
 */
public final class"
/* label() sizes its per-class counts by the model's classes, read once here: the model may be
 * closed later (the labeler keeps the native model alive). */
%typemap(javaconstruct) struct s4b_labeler {
    this($imcall, true);
    numClasses = model.numClasses();
  }
%javamethodmodifiers s4b_labeler::s4b_labeler "/** A labeler for {@code model} ({@code config} may be null: defaults). */\n  public"
%javamethodmodifiers s4b_labeler::run_into "/**\n   * Labels one image into caller arrays: {@code labels} width x height (255 where filtered out),\n   * {@code confidence_bytes} (may be null) width x height round(255 x probability), {@code predicted} and\n   * {@code kept} (may be null) per-class pixel counts, one entry per class.\n   */\n  public"

%typemap(javacode) struct s4b_labeler %{
  private int numClasses;

  /** A labeler with the default filter settings. */
  public Labeler(Model model) {
    this(model, null);
  }

  /** Labels, confidence and per-class counts for one image. */
  public LabelResult label(byte[] image, int width, int height, int channels) {
    int pixels = Buffers.arrayLength((long) width * height);
    byte[] labels = new byte[pixels];
    byte[] confidence = new byte[pixels];
    long[] predicted = new long[numClasses];
    long[] kept = new long[numClasses];
    runInto(image, width, height, channels, labels, confidence, predicted, kept);
    return new LabelResult(width, height, labels, confidence, predicted, kept);
  }
%}

/*
 * s4seg SWIG interface: the core shared by every language.
 *
 * Layout (after GDAL's swig/include and Xapian): this file declares the handle classes and the
 * module functions once, in C, over the public C API; bindings/<lang>/s4seg_<lang>.i gives each
 * language its error mapping, buffer typemaps, naming rule and lifetime (close/Dispose/Close).
 *
 * Contract of every wrapped call (see s4seg_support.h):
 *  - it records its outcome in a thread-local (status, message); Java and C# throw
 *    S4SegException from it inside the same native call, Go's hand-written layer returns it as an
 *    error;
 *  - a closed handle arrives as NULL self and fails with S4SEG_STATE ("this Model is closed");
 *  - buffers arrive as (pointer, element count) pairs, and their counts are checked against the
 *    stated image sizes before the C call;
 *  - results that C writes into caller buffers are exposed as *_into methods; each language adds
 *    the allocating convenience (byte[] predict(...)) in its own layer.
 *
 * Names here are snake_case; each language file renames them with one rule.
 */
%module s4seg

%{
#include "s4seg/s4seg.h"
#include "s4seg_support.h"
%}

%include "stdint.i"

/* Buffer parameter families. A language file defines typemaps for the first pair of each family;
 * the %apply lists below spread them over every use. */
#if defined(SWIGJAVA)
%include "java/s4seg_java.i"
#elif defined(SWIGCSHARP)
%include "csharp/s4seg_csharp.i"
#elif defined(SWIGGO)
%include "go/s4seg_go.i"
#else
#error "s4seg bindings exist for Java, C# and Go"
#endif

%apply (const uint8_t* BYTES_IN, size_t BYTES_IN_LEN) {
  (const uint8_t* image, size_t image_len),
  (const uint8_t* mask, size_t mask_len),
  (const uint8_t* images, size_t images_len)
};
%apply (uint8_t* BYTES_OUT, size_t BYTES_OUT_LEN) {
  (uint8_t* labels, size_t labels_len),
  (uint8_t* confidence_bytes, size_t confidence_bytes_len),
  (uint8_t* pixels, size_t pixels_len),
  (uint8_t* palette, size_t palette_len)
};
%apply (float* FLOATS_OUT, size_t FLOATS_OUT_LEN) { (float* confidence, size_t confidence_len) };
%apply (double* DOUBLES_OUT, size_t DOUBLES_OUT_LEN) {
  (double* scores, size_t scores_len),
  (double* stats, size_t stats_len)
};
%apply (uint64_t* U64_OUT, size_t U64_OUT_LEN) {
  (uint64_t* predicted, size_t predicted_len),
  (uint64_t* kept, size_t kept_len),
  (uint64_t* cache_stats, size_t cache_stats_len)
};

/* Status codes, value types, image modes and dataset layouts come from the header; its functions and structs do
 * not (the classes below replace them). */
%rename("$ignore", %$isfunction, regextarget=1) "^s4seg_";
%ignore s4seg_image_view;
%ignore s4seg_train_stats;
%ignore s4seg_progress_fn;
#define S4SEG_API
#define S4SEG_NODISCARD
#define S4SEG_NOEXCEPT
%include "s4seg/s4seg.h"

/* ------------------------------------------------------------------------------------------ */
/* Module functions                                                                            */
/* ------------------------------------------------------------------------------------------ */

%{
static s4seg_status s4b_device_info_reader(const void* unused_object, const char* unused_key, char* buf,
                                           size_t capacity, size_t* needed) {
  (void)unused_object;
  (void)unused_key;
  return s4seg_device_info(buf, capacity, needed);
}
static s4seg_status s4b_method_name_reader(const void* index, const char* unused_key, char* buf, size_t capacity,
                                           size_t* needed) {
  (void)unused_key;
  return s4seg_method_name(*(const size_t*)index, buf, capacity, needed);
}
static s4seg_status s4b_method_summary_reader(const void* index, const char* unused_key, char* buf, size_t capacity,
                                              size_t* needed) {
  (void)unused_key;
  return s4seg_method_summary(*(const size_t*)index, buf, capacity, needed);
}
static const char* s4b_key_field(int64_t index, int field) {
  const char* values[4] = {NULL, NULL, NULL, NULL};
  if (index < 0) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "key index %lld is negative", (long long)index);
    return NULL;
  }
  if (!s4b_check(s4seg_config_key_info((size_t)index, &values[0], NULL, &values[1], &values[2], &values[3])))
    return NULL;
  return values[field];
}
%}

%newobject s4b_device_info;
%newobject s4b_method_name;
%newobject s4b_method_summary;
%inline %{
/* The thread's last outcome, read by the languages' error hooks. Not static: a language that
 * reads s4b_thread_error directly ignores them, and must not get unused-function warnings. */
int s4b_last_status(void) { return s4b_thread_error.status; }
const char* s4b_last_message(void) { return s4b_thread_error.message; }
void s4b_reset(void) { s4b_clear(); }

static const char* s4b_version(void) { return s4seg_version(); }
static const char* s4b_backend_version(void) { return s4seg_backend_version(); }
static const char* s4b_status_name(int status) { return s4seg_status_string((s4seg_status)status); }

static char* s4b_device_info(void) { return s4b_read_string(s4b_device_info_reader, NULL, NULL); }

static int s4b_cuda_available(void) {
  int available = 0;
  return s4b_check(s4seg_cuda_available(&available)) ? available : 0;
}
static void s4b_release_cached_memory(void) { s4b_check(s4seg_release_cached_memory()); }
/* Device memory in bytes (device NULL = "auto"): in use now, and the peak since the last reset. */
static uint64_t s4b_device_memory_current(const char* device) {
  uint64_t bytes = 0;
  s4b_check(s4seg_device_memory(device, &bytes, NULL));
  return bytes;
}
static uint64_t s4b_device_memory_peak(const char* device) {
  uint64_t bytes = 0;
  s4b_check(s4seg_device_memory(device, NULL, &bytes));
  return bytes;
}
static void s4b_device_reset_peak_memory(const char* device) { s4b_check(s4seg_device_reset_peak_memory(device)); }

/* The config key registry. */
static int64_t s4b_config_key_count(void) { return (int64_t)s4seg_config_key_count(); }
static const char* s4b_config_key_name(int64_t index) { return s4b_key_field(index, 0); }
static const char* s4b_config_key_default(int64_t index) { return s4b_key_field(index, 1); }
static const char* s4b_config_key_allowed(int64_t index) { return s4b_key_field(index, 2); }
static const char* s4b_config_key_doc(int64_t index) { return s4b_key_field(index, 3); }
static int s4b_config_key_type(int64_t index) {
  s4seg_value_type type = S4SEG_TYPE_INT;
  if (index < 0) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "key index %lld is negative", (long long)index);
    return -1;
  }
  return s4b_check(s4seg_config_key_info((size_t)index, NULL, &type, NULL, NULL, NULL)) ? (int)type : -1;
}

/* The training methods (train.method values): name, one-line summary and S4SEG_METHOD_* flags. */
static int64_t s4b_method_count(void) { return (int64_t)s4seg_method_count(); }
static char* s4b_method_name(int64_t index) {
  size_t position = (size_t)index;
  if (index < 0) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "method index %lld is negative", (long long)index);
    return NULL;
  }
  return s4b_read_string(s4b_method_name_reader, &position, NULL);
}
static char* s4b_method_summary(int64_t index) {
  size_t position = (size_t)index;
  if (index < 0) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "method index %lld is negative", (long long)index);
    return NULL;
  }
  return s4b_read_string(s4b_method_summary_reader, &position, NULL);
}
static int64_t s4b_method_flags(int64_t index) {
  uint32_t flags = 0;
  if (index < 0) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "method index %lld is negative", (long long)index);
    return -1;
  }
  return s4b_check(s4seg_method_flags((size_t)index, &flags)) ? (int64_t)flags : -1;
}

/* Writes an image (1 or 3 channels) as PNG. */
static void s4b_save_png(const char* path, const uint8_t* image, size_t image_len, int32_t width, int32_t height,
                         int32_t channels) {
  s4seg_image_view view;
  if (!s4b_make_view(image, image_len, width, height, channels, "image", &view)) return;
  s4b_check(s4seg_image_save_png(path, &view));
}
%}

/* ------------------------------------------------------------------------------------------ */
/* Handle classes                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* SWIG only: the opaque structs become classes; C never sees these bodies. SWIG names the
 * functions of %extend <struct>_<method>, so the classes extend s4b_* aliases of the C handles
 * (an s4seg_config_clone of ours would collide with the library's). */
%{
#define s4b_config s4seg_config
#define s4b_image s4seg_image
#define s4b_dataset s4seg_dataset
#define s4b_model s4seg_model
#define s4b_trainer s4seg_trainer
#define s4b_labeler s4seg_labeler
static s4seg_status s4b_config_string_reader(const void* config, const char* key, char* buf, size_t capacity,
                                             size_t* needed) {
  return s4seg_config_get_string((const s4seg_config*)config, key, buf, capacity, needed);
}
/* Metric `index`: its name (malloc'd, when `name` is non-null) and value; 1 on success. */
static int s4b_metric(const s4seg_trainer* trainer, int64_t index, char** name, double* value) {
  size_t needed = 0;
  if (index < 0) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "metric index %lld is negative", (long long)index);
    return 0;
  }
  s4seg_status status = s4seg_trainer_metric(trainer, (size_t)index, NULL, 0, &needed, NULL);
  if (status != S4SEG_BUFFER_TOO_SMALL && !s4b_check(status)) return 0;
  char* text = (char*)malloc(needed ? needed : 1);
  if (!text) {
    s4b_fail(S4SEG_OUT_OF_MEMORY, "cannot allocate a metric name");
    return 0;
  }
  if (!s4b_check(s4seg_trainer_metric(trainer, (size_t)index, text, needed ? needed : 1, &needed, value))) {
    free(text);
    return 0;
  }
  if (name) *name = text; else free(text);
  return 1;
}
static s4seg_status s4b_model_device_reader(const void* model, const char* unused_key, char* buf, size_t capacity,
                                            size_t* needed) {
  (void)unused_key;
  return s4seg_model_device((const s4seg_model*)model, buf, capacity, needed);
}
static s4seg_status s4b_backbone_report_reader(const void* model, const char* unused_key, char* buf, size_t capacity,
                                               size_t* needed) {
  (void)unused_key;
  return s4seg_model_backbone_report((const s4seg_model*)model, buf, capacity, needed);
}
/* Which class name s4b_class_name_reader reads. */
typedef struct s4b_class_query {
  const s4seg_model* model;
  int32_t index;
} s4b_class_query;
static s4seg_status s4b_class_name_reader(const void* query, const char* unused_key, char* buf, size_t capacity,
                                          size_t* needed) {
  const s4b_class_query* q = (const s4b_class_query*)query;
  (void)unused_key;
  return s4seg_model_class_name(q->model, q->index, buf, capacity, needed);
}
%}
%rename(Config) s4b_config;
%rename(Image) s4b_image;
%rename(Dataset) s4b_dataset;
%rename(Model) s4b_model;
%rename(Trainer) s4b_trainer;
%rename(Labeler) s4b_labeler;

%newobject s4b_config::clone;
%newobject s4b_config::get_string;
%newobject s4b_image::load;
%newobject s4b_dataset::get_image;
%newobject s4b_dataset::get_mask;
%newobject s4b_model::load;
%newobject s4b_model::get_config;
%newobject s4b_model::device;
%newobject s4b_model::backbone_report;
%newobject s4b_model::class_name;
%newobject s4b_trainer::metric_name;

struct s4b_config {};
struct s4b_image {};
struct s4b_dataset {};
struct s4b_model {};
struct s4b_trainer {};
struct s4b_labeler {};


/* Typed options by dotted key. Thread safety: reads from several threads at once; writes need
 * exclusive access. */
%extend s4b_config {
  s4b_config() {
    s4seg_config* config = NULL;
    s4b_check(s4seg_config_create(&config));
    return config;
  }
  ~s4b_config() { s4seg_config_free($self); }

  s4b_config* clone() {
    s4seg_config* copy = NULL;
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_clone($self, &copy));
    return copy;
  }
  void set_int(const char* key, int64_t value) {
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_set_int($self, key, value));
  }
  void set_double(const char* key, double value) {
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_set_double($self, key, value));
  }
  void set_bool(const char* key, bool value) {
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_set_bool($self, key, value ? 1 : 0));
  }
  void set_string(const char* key, const char* value) {
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_set_string($self, key, value));
  }
  /* Any key from text, converted to the key's type. */
  void set(const char* key, const char* text) {
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_set($self, key, text));
  }
  int64_t get_int(const char* key) {
    int64_t value = 0;
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_get_int($self, key, &value));
    return value;
  }
  double get_double(const char* key) {
    double value = 0;
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_get_double($self, key, &value));
    return value;
  }
  bool get_bool(const char* key) {
    int value = 0;
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_get_bool($self, key, &value));
    return value != 0;
  }
  /* Any key's value as text. */
  char* get_string(const char* key) {
    return s4b_open($self, "Config") ? s4b_read_string(s4b_config_string_reader, $self, key) : NULL;
  }
  /* `key = value` lines; all-or-nothing. */
  void parse(const char* text) {
    if (s4b_open($self, "Config")) s4b_check(s4seg_config_parse($self, text));
  }
}

/* An image owned by the library. Thread safety: immutable; may be read from several threads. */
%extend s4b_image {
  /* Copies width x height x channels bytes (1 or 3 channels, rows without padding). */
  s4b_image(const uint8_t* image, size_t image_len, int32_t width, int32_t height, int32_t channels) {
    s4seg_image_view view;
    s4seg_image* created = NULL;
    if (s4b_make_view(image, image_len, width, height, channels, "image", &view))
      s4b_check(s4seg_image_create(&view, &created));
    return created;
  }
  ~s4b_image() { s4seg_image_free($self); }

  /* mode: S4SEG_IMAGE_RGB, _GREY, _INDICES or _AUTO. */
  static s4b_image* load(const char* path, int mode) {
    s4seg_image* image = NULL;
    s4b_check(s4seg_image_load(path, (s4seg_image_mode)mode, &image));
    return image;
  }
  int32_t width() {
    s4seg_image_view view = {0};
    if (s4b_open($self, "Image")) s4b_check(s4seg_image_get_view($self, &view));
    return view.width;
  }
  int32_t height() {
    s4seg_image_view view = {0};
    if (s4b_open($self, "Image")) s4b_check(s4seg_image_get_view($self, &view));
    return view.height;
  }
  int32_t channels() {
    s4seg_image_view view = {0};
    if (s4b_open($self, "Image")) s4b_check(s4seg_image_get_view($self, &view));
    return view.channels;
  }
  /* Copies the pixels (width x height x channels, rows without padding) into `pixels`. */
  void pixels_into(uint8_t* pixels, size_t pixels_len) {
    s4seg_image_view view = {0};
    if (!s4b_open($self, "Image") || !s4b_check(s4seg_image_get_view($self, &view))) return;
    size_t row = (size_t)view.width * (size_t)view.channels;
    if (!s4b_buffer_is(pixels, pixels_len, (uint64_t)row * (uint64_t)view.height, "pixel buffer")) return;
    for (int32_t r = 0; r < view.height; ++r) memcpy(pixels + (size_t)r * row, view.data + r * view.row_stride, row);
  }
  void save_png(const char* path) {
    s4seg_image_view view = {0};
    if (s4b_open($self, "Image") && s4b_check(s4seg_image_get_view($self, &view)))
      s4b_check(s4seg_image_save_png(path, &view));
  }
}

/* Ordered samples (image + optional mask). Thread safety: adding needs exclusive access; a
 * dataset no longer added to may be shared. A trainer keeps its datasets alive. */
%extend s4b_dataset {
  s4b_dataset() {
    s4seg_dataset* dataset = NULL;
    s4b_check(s4seg_dataset_create(&dataset));
    return dataset;
  }
  ~s4b_dataset() { s4seg_dataset_free($self); }

  /* Copies an image (1 or 3 channels) and, when `mask` is non-null, its 1-channel mask of the same
   * width and height (class indices, 255 = ignore). */
  void add(const uint8_t* image, size_t image_len, int32_t width, int32_t height, int32_t channels,
           const uint8_t* mask, size_t mask_len) {
    s4seg_image_view image_view, mask_view;
    if (!s4b_open($self, "Dataset")) return;
    if (!s4b_make_view(image, image_len, width, height, channels, "image", &image_view)) return;
    if (mask && !s4b_make_view(mask, mask_len, width, height, 1, "mask", &mask_view)) return;
    s4b_check(s4seg_dataset_add($self, &image_view, mask ? &mask_view : NULL));
  }
  void add_list(const char* root, const char* list_path) {
    if (s4b_open($self, "Dataset")) s4b_check(s4seg_dataset_add_list($self, root, list_path));
  }
  /* A benchmark folder as published. layout: S4SEG_LAYOUT_LIST, _VOC or _CITYSCAPES (any other value
   * fails with INVALID_ARGUMENT); split: a split name or a split file; flags: 0 or
   * S4SEG_DATASET_IGNORE_MASKS. All-or-nothing. */
  void add_layout(int layout, const char* root, const char* split, uint32_t flags) {
    if (s4b_open($self, "Dataset"))
      s4b_check(s4seg_dataset_add_layout($self, (s4seg_layout)layout, root, split, flags));
  }
  /* Keeps up to `bytes` of decoded file-backed samples in memory (0, the default: none). */
  void set_cache(uint64_t bytes) {
    if (s4b_open($self, "Dataset")) s4b_check(s4seg_dataset_set_cache($self, bytes));
  }
  /* cache_stats: 3 counts = bytes held now, hits, misses (since the dataset was created). */
  void cache_stats_into(uint64_t* cache_stats, size_t cache_stats_len) {
    if (!s4b_open($self, "Dataset") || !s4b_buffer_is(cache_stats, cache_stats_len, 3, "cache stats buffer")) return;
    uint64_t figures[3] = {0, 0, 0};
    if (s4b_check(s4seg_dataset_cache_stats($self, &figures[0], &figures[1], &figures[2])))
      memcpy(cache_stats, figures, sizeof figures);
  }
  void add_synthetic(int64_t count, int32_t width, int32_t height, int32_t num_classes, uint64_t seed) {
    if (s4b_open($self, "Dataset"))
      s4b_check(s4seg_dataset_add_synthetic($self, count, width, height, num_classes, seed));
  }
  int64_t size() {
    int64_t size = 0;
    if (s4b_open($self, "Dataset")) s4b_check(s4seg_dataset_size($self, &size));
    return size;
  }
  s4b_image* get_image(int64_t index) {
    s4seg_image* image = NULL;
    if (s4b_open($self, "Dataset")) s4b_check(s4seg_dataset_get($self, index, &image, NULL));
    return image;
  }
  /* NULL (null / nil) when the sample has no mask. */
  s4b_image* get_mask(int64_t index) {
    s4seg_image* image = NULL;
    s4seg_image* mask = NULL;
    if (s4b_open($self, "Dataset") && s4b_check(s4seg_dataset_get($self, index, &image, &mask)))
      s4seg_image_free(image);
    return mask;
  }
}

/* A segmentation network. Thread safety: predict/evaluate on one model are serialised inside the
 * library; do not use a model while its trainer is inside step(). */
%extend s4b_model {
  /* config may be null (defaults). */
  s4b_model(const s4b_config* config) {
    s4seg_model* model = NULL;
    s4b_check(s4seg_model_create(config, &model));
    return model;
  }
  ~s4b_model() { s4seg_model_free($self); }

  /* device may be null ("auto"). Accepts model files and trainer checkpoints. */
  static s4b_model* load(const char* path, const char* device) {
    s4seg_model* model = NULL;
    s4b_check(s4seg_model_load(path, device, &model));
    return model;
  }
  void save(const char* path) {
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_save($self, path));
  }
  int32_t num_classes() {
    int32_t classes = 0;
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_num_classes($self, &classes));
    return classes;
  }
  s4b_config* get_config() {
    s4seg_config* config = NULL;
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_get_config($self, &config));
    return config;
  }
  char* device() { return s4b_open($self, "Model") ? s4b_read_string(s4b_model_device_reader, $self, NULL) : NULL; }

  /* Pretrained encoder weights (torchvision state dict or safetensors). Strict: a missing,
   * unexpected or mis-shaped tensor fails with FORMAT and the model is unchanged. */
  void load_backbone(const char* path) {
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_load_backbone($self, path));
  }
  /* Loads the tensors that fit and leaves the others; backbone_report says which. */
  void load_backbone_partial(const char* path) {
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_load_backbone_partial($self, path));
  }
  /* A sentence on the latest encoder load ("loaded N encoder tensors ..."); empty when none. */
  char* backbone_report() {
    return s4b_open($self, "Model") ? s4b_read_string(s4b_backbone_report_reader, $self, NULL) : NULL;
  }
  /* FLOPs of one forward pass on a width x height image (convolutions and matrix products). */
  double flops(int32_t width, int32_t height) {
    double flops = 0;
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_flops($self, width, height, &flops));
    return flops;
  }
  /* CUDA-graph inference (model.cuda_graphs) on or off; no effect on a CPU model. */
  void set_cuda_graphs(bool enabled) {
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_set_cuda_graphs($self, enabled ? 1 : 0));
  }
  /* The encoder's weights as safetensors with torchvision names (atomic write). */
  void save_backbone(const char* path) {
    if (s4b_open($self, "Model")) s4b_check(s4seg_model_save_backbone($self, path));
  }
  /* The name of class `index` (0..num_classes-1), from model.class_names. */
  char* class_name(int32_t index) {
    s4b_class_query query;
    query.model = $self;
    query.index = index;
    return s4b_open($self, "Model") ? s4b_read_string(s4b_class_name_reader, &query, NULL) : NULL;
  }
  /* palette: 3 x num_classes bytes (R, G, B per class), from model.palette. */
  void palette_into(uint8_t* palette, size_t palette_len) {
    int32_t classes = 0;
    if (!s4b_open($self, "Model") || !s4b_check(s4seg_model_num_classes($self, &classes))) return;
    if (!s4b_buffer_is(palette, palette_len, 3 * (uint64_t)classes, "palette buffer")) return;
    s4b_check(s4seg_model_palette($self, palette, palette_len, NULL));
  }

  /* labels: width x height class indices. confidence: null, or width x height top-class
   * probabilities. */
  void predict_into(const uint8_t* image, size_t image_len, int32_t width, int32_t height, int32_t channels,
                    uint8_t* labels, size_t labels_len, float* confidence, size_t confidence_len) {
    s4seg_image_view view;
    if (!s4b_open($self, "Model")) return;
    if (!s4b_make_view(image, image_len, width, height, channels, "image", &view)) return;
    uint64_t pixels = (uint64_t)width * (uint64_t)height;
    if (!s4b_buffer_is(labels, labels_len, pixels, "label buffer")) return;
    if (confidence && !s4b_size_is(confidence_len, pixels, "confidence buffer")) return;
    s4b_check(s4seg_model_predict($self, &view, labels, labels_len, confidence, confidence ? confidence_len : 0));
  }

  /* `count` images of one size, back to back in `images`; labels (and confidence) likewise. */
  void predict_batch_into(const uint8_t* images, size_t images_len, int64_t count, int32_t width, int32_t height,
                          int32_t channels, uint8_t* labels, size_t labels_len, float* confidence,
                          size_t confidence_len) {
    uint64_t image_size = 0;
    if (!s4b_open($self, "Model")) return;
    if (count < 1) {
      s4b_fail(S4SEG_INVALID_ARGUMENT, "image count %lld: need at least 1", (long long)count);
      return;
    }
    if (!s4b_image_size(width, height, channels, &image_size)) return;
    uint64_t pixels = (uint64_t)width * (uint64_t)height * (uint64_t)count;
    if (!s4b_buffer_is(images, images_len, image_size * (uint64_t)count, "image buffer")) return;
    if (!s4b_buffer_is(labels, labels_len, pixels, "label buffer")) return;
    if (confidence && !s4b_size_is(confidence_len, pixels, "confidence buffer")) return;
    s4seg_image_view* views = (s4seg_image_view*)calloc((size_t)count, sizeof *views);
    if (!views) {
      s4b_fail(S4SEG_OUT_OF_MEMORY, "cannot allocate %lld image views", (long long)count);
      return;
    }
    for (int64_t i = 0; i < count; ++i) {
      views[i].data = images + (size_t)(image_size * (uint64_t)i);
      views[i].width = width;
      views[i].height = height;
      views[i].channels = channels;
      views[i].row_stride = (int64_t)width * channels;
    }
    s4b_check(s4seg_model_predict_batch($self, views, (size_t)count, labels, labels_len, confidence,
                                        confidence ? confidence_len : 0));
    free(views);
  }

  /* scores: 2 + num_classes doubles = mIoU, pixel accuracy, then the IoU of each class (NaN for a
   * class absent from ground truth and prediction). */
  void evaluate_into(const s4b_dataset* dataset, double* scores, size_t scores_len) {
    int32_t classes = 0;
    if (!s4b_open($self, "Model") || !s4b_check(s4seg_model_num_classes($self, &classes))) return;
    if (!dataset) {
      s4b_fail(S4SEG_INVALID_ARGUMENT, "dataset is null or closed");
      return;
    }
    if (!s4b_buffer_is(scores, scores_len, 2 + (uint64_t)classes, "score buffer")) return;
    double miou = 0, accuracy = 0;
    if (s4b_check(s4seg_model_evaluate($self, dataset, &miou, &accuracy, scores + 2, (size_t)classes))) {
      scores[0] = miou;
      scores[1] = accuracy;
    }
  }
}

/* Trains a model in place. Thread safety: one thread at a time, except cancel() from any thread.
 * Keeps its model and datasets alive. */
%extend s4b_trainer {
  /* unlabeled and config may be null. */
  s4b_trainer(s4b_model* model, s4b_dataset* labeled, s4b_dataset* unlabeled, const s4b_config* config) {
    s4seg_trainer* trainer = NULL;
    s4b_check(s4seg_trainer_create_semi(model, labeled, unlabeled, config, &trainer));
    return trainer;
  }
  ~s4b_trainer() { s4seg_trainer_free($self); }

  /* Runs up to `iterations`; `stats` receives 9 doubles: iteration, total iterations, mean loss,
   * learning rate, seconds, labeled images per second, ETA seconds, pseudo-label keep ratio and
   * pseudo-label accuracy (-1 when not measured). */
  void step_into(int64_t iterations, double* stats, size_t stats_len) {
    s4seg_train_stats figures;
    if (!s4b_open($self, "Trainer")) return;
    if (!s4b_buffer_is(stats, stats_len, 9, "stats buffer")) return;
    s4seg_train_stats_init(&figures);
    if (!s4b_check(s4seg_trainer_step($self, iterations, &figures))) return;
    stats[0] = (double)figures.iteration;
    stats[1] = (double)figures.total_iterations;
    stats[2] = figures.loss;
    stats[3] = figures.learning_rate;
    stats[4] = figures.seconds;
    stats[5] = figures.images_per_second;
    stats[6] = figures.eta_seconds;
    stats[7] = figures.pseudo_keep_ratio;
    stats[8] = figures.pseudo_accuracy;
  }
  /* Safe from any thread while step runs. */
  void cancel() {
    if (s4b_open($self, "Trainer")) s4b_check(s4seg_trainer_cancel($self));
  }
  int64_t iteration() {
    int64_t iteration = 0;
    if (s4b_open($self, "Trainer")) s4b_check(s4seg_trainer_iteration($self, &iteration));
    return iteration;
  }
  int64_t metric_count() {
    size_t count = 0;
    if (s4b_open($self, "Trainer")) s4b_check(s4seg_trainer_metric_count($self, &count));
    return (int64_t)count;
  }
  char* metric_name(int64_t index) {
    char* name = NULL;
    if (s4b_open($self, "Trainer")) s4b_metric($self, index, &name, NULL);
    return name;
  }
  double metric_value(int64_t index) {
    double value = 0;
    if (s4b_open($self, "Trainer")) s4b_metric($self, index, NULL, &value);
    return value;
  }
  void save_checkpoint(const char* path) {
    if (s4b_open($self, "Trainer")) s4b_check(s4seg_trainer_save_checkpoint($self, path));
  }
  void resume(const char* path) {
    if (s4b_open($self, "Trainer")) s4b_check(s4seg_trainer_resume($self, path));
  }
}

/* Filtered pseudo-labels from a trained model. Thread safety: one thread at a time; keeps its
 * model alive. */
%extend s4b_labeler {
  /* config may be null (defaults). */
  s4b_labeler(s4b_model* model, const s4b_config* config) {
    s4seg_labeler* labeler = NULL;
    s4b_check(s4seg_labeler_create(model, config, &labeler));
    return labeler;
  }
  ~s4b_labeler() { s4seg_labeler_free($self); }

  /* labels: width x height (255 where filtered out); confidence_bytes: null or width x height
   * round(255 * probability); predicted, kept: null or num_classes pixel counts each. */
  void run_into(const uint8_t* image, size_t image_len, int32_t width, int32_t height, int32_t channels,
                uint8_t* labels, size_t labels_len, uint8_t* confidence_bytes, size_t confidence_bytes_len,
                uint64_t* predicted, size_t predicted_len, uint64_t* kept, size_t kept_len) {
    s4seg_image_view view, out_view;
    s4seg_image* label_image = NULL;
    s4seg_image* confidence_image = NULL;
    if (!s4b_open($self, "Labeler")) return;
    if (!s4b_make_view(image, image_len, width, height, channels, "image", &view)) return;
    uint64_t pixels = (uint64_t)width * (uint64_t)height;
    if (!s4b_buffer_is(labels, labels_len, pixels, "label buffer")) return;
    if (confidence_bytes && !s4b_size_is(confidence_bytes_len, pixels, "confidence buffer")) return;
    if (predicted && kept && predicted_len != kept_len) {
      s4b_fail(S4SEG_INVALID_ARGUMENT, "predicted (%llu) and kept (%llu) counts differ in length",
               (unsigned long long)predicted_len, (unsigned long long)kept_len);
      return;
    }
    size_t classes = predicted ? predicted_len : (kept ? kept_len : 0);
    if (!s4b_check(s4seg_labeler_run($self, &view, &label_image, confidence_bytes ? &confidence_image : NULL,
                                     predicted, kept, classes)))
      return;
    if (s4b_check(s4seg_image_get_view(label_image, &out_view)))
      for (int32_t r = 0; r < height; ++r)
        memcpy(labels + (size_t)r * (size_t)width, out_view.data + r * out_view.row_stride, (size_t)width);
    if (confidence_image && s4b_check(s4seg_image_get_view(confidence_image, &out_view)))
      for (int32_t r = 0; r < height; ++r)
        memcpy(confidence_bytes + (size_t)r * (size_t)width, out_view.data + r * out_view.row_stride, (size_t)width);
    s4seg_image_free(label_image);
    s4seg_image_free(confidence_image);
  }
}

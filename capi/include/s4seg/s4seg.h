/*
 * s4seg — semi-supervised semantic segmentation, C API.
 *
 * Conventions (read once, they hold for every function below):
 *  - Every fallible function returns an s4seg_status; S4SEG_OK (0) is success. The status decides;
 *    s4seg_last_error() explains (a message for the calling thread, valid until its next s4seg call).
 *  - Handles are opaque. s4seg_X_create(..., s4seg_X** out) pairs with s4seg_X_free(), which
 *    accepts NULL. On error no out-parameter is written, except the `needed` size of
 *    S4SEG_BUFFER_TOO_SMALL, which exists to be read.
 *  - Caller buffers come as (pointer, capacity in elements). A buffer too small for the result
 *    gives S4SEG_BUFFER_TOO_SMALL, with nothing written to it and a message naming the buffer,
 *    its capacity and the size needed. Where that size depends on the library's state (text, one
 *    entry per class) a `needed` out-parameter also receives it, on success and on
 *    S4SEG_BUFFER_TOO_SMALL; every `needed` may be NULL. Text sizes include the NUL.
 *  - Images cross the boundary as s4seg_image_view; the library copies whatever it keeps.
 *  - Class-index maps are uint8: 0..num_classes-1, and 255 means "ignore / unknown".
 *  - No C++ exception ever leaves the library; no function calls abort() on bad input.
 */
#ifndef S4SEG_S4SEG_H
#define S4SEG_S4SEG_H

#include <stddef.h>
#include <stdint.h>

#define S4SEG_VERSION_MAJOR 0
#define S4SEG_VERSION_MINOR 3
#define S4SEG_VERSION_PATCH 0
#define S4SEG_VERSION_NUMBER (S4SEG_VERSION_MAJOR * 10000 + S4SEG_VERSION_MINOR * 100 + S4SEG_VERSION_PATCH)
/** True when the header is at least version (maj, min, pat). */
#define S4SEG_VERSION_CHECK(maj, min, pat) \
  (S4SEG_VERSION_NUMBER >= ((maj) * 10000 + (min) * 100 + (pat)))

#if defined(SWIG) || defined(S4SEG_STATIC)
#define S4SEG_API
#elif defined(S4SEG_BUILDING_LIBRARY)
#define S4SEG_API __attribute__((visibility("default")))
#else
#define S4SEG_API
#endif

#if defined(__GNUC__) && !defined(SWIG)
#define S4SEG_NODISCARD __attribute__((warn_unused_result))
#else
#define S4SEG_NODISCARD
#endif

#if defined(__cplusplus) && !defined(SWIG)
#define S4SEG_NOEXCEPT noexcept
extern "C" {
#else
#define S4SEG_NOEXCEPT
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                           */
/* ------------------------------------------------------------------------------------------ */

/** Result of every fallible call. Values are fixed forever; new codes are only appended. */
typedef enum s4seg_status {
  S4SEG_OK = 0,
  S4SEG_INVALID_ARGUMENT = 1,   /**< NULL where a value is needed, size/range/key errors. */
  S4SEG_OUT_OF_MEMORY = 2,      /**< host or device allocation failed; the handle is still usable. */
  S4SEG_IO = 3,                 /**< a file is missing, unreadable or unwritable. */
  S4SEG_FORMAT = 4,             /**< a file exists but is truncated, corrupt or of another kind. */
  S4SEG_UNSUPPORTED = 5,        /**< valid request this build or version cannot do. */
  S4SEG_DEVICE = 6,             /**< the requested device is unavailable or failed. */
  S4SEG_CANCELLED = 7,          /**< s4seg_trainer_cancel() or a callback stopped the call. */
  S4SEG_DIVERGED = 8,           /**< the loss became NaN/Inf; the step was not applied. */
  S4SEG_STATE = 9,              /**< call not valid now (e.g. training already finished). */
  S4SEG_INTERNAL = 10,          /**< a bug in s4seg; the message says where. */
  S4SEG_BUFFER_TOO_SMALL = 11   /**< caller buffer too small; `needed` says how much. */
} s4seg_status;

/** Static English name of a status ("OK", "INVALID_ARGUMENT", ...); "UNKNOWN" for other values. */
S4SEG_API const char* s4seg_status_string(s4seg_status status) S4SEG_NOEXCEPT;

/** Message describing why the most recent s4seg call on this thread failed ("" after a call that
 *  succeeded). Owned by the library; valid until the next s4seg call on the same thread other than
 *  s4seg_last_error and s4seg_status_string, which never change it. Thread-safe (thread-local). */
S4SEG_API const char* s4seg_last_error(void) S4SEG_NOEXCEPT;

/** Library version as "MAJOR.MINOR.PATCH" (static string). */
S4SEG_API const char* s4seg_version(void) S4SEG_NOEXCEPT;

/** Version of the LibTorch the library was built against, e.g. "1.13.0" (static string). */
S4SEG_API const char* s4seg_backend_version(void) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Devices                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** Writes a human-readable description of the compute devices into `buf` (NUL-terminated):
 *  CPU threads, and either the CUDA devices or the reason CUDA is unavailable (no CUDA build,
 *  no driver, no device). `*needed` (optional) receives the size including the NUL.
 *  Returns S4SEG_BUFFER_TOO_SMALL when `capacity < *needed` (buf may then be NULL). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_device_info(char* buf, size_t capacity, size_t* needed) S4SEG_NOEXCEPT;

/** Sets `*available` to 1 when at least one CUDA device can be used, else 0. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_cuda_available(int* available) S4SEG_NOEXCEPT;

/** Returns cached, unused GPU memory to the driver. A no-op (S4SEG_OK) without CUDA. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_release_cached_memory(void) S4SEG_NOEXCEPT;

/** Memory figures of `device` ("cpu", "cuda", "cuda:N"; NULL = "auto"), in bytes: on CUDA what the
 *  caching allocator has handed out now and at most since the last reset; on the CPU the whole
 *  process's resident set now and its high-water mark (Linux /proc; 0 elsewhere). Either
 *  out-pointer may be NULL. An unavailable device → S4SEG_DEVICE. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_device_memory(const char* device, uint64_t* current_bytes,
                                                         uint64_t* peak_bytes) S4SEG_NOEXCEPT;
/** Starts a new high-water mark for s4seg_device_memory (CPU: Linux only, else S4SEG_UNSUPPORTED). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_device_reset_peak_memory(const char* device) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Configuration                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** A set of typed options by dotted key ("model.backbone", "train.lr", ...). Every key has a
 *  type, a default, an allowed range and a one-line doc in one registry (see
 *  s4seg_config_key_info, `s4seg info --keys`). Thread safety: a config may be read from several
 *  threads at once; writing needs exclusive access. Models and trainers copy what they use. */
typedef struct s4seg_config s4seg_config;

/** Kind of value a key holds. */
typedef enum s4seg_value_type {
  S4SEG_TYPE_INT = 0,
  S4SEG_TYPE_DOUBLE = 1,
  S4SEG_TYPE_BOOL = 2,
  S4SEG_TYPE_STRING = 3
} s4seg_value_type;

/** Creates a config holding every key at its default. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_create(s4seg_config** out) S4SEG_NOEXCEPT;
/** Creates an independent copy of `config`. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_clone(const s4seg_config* config, s4seg_config** out) S4SEG_NOEXCEPT;
/** Frees a config; NULL is accepted. */
S4SEG_API void s4seg_config_free(s4seg_config* config) S4SEG_NOEXCEPT;

/** Typed setters. Unknown key, wrong type or out-of-range value → S4SEG_INVALID_ARGUMENT with a
 *  message naming the key and the allowed range; the config is then unchanged.
 *  An int key accepts set_double only for whole numbers; a double key accepts set_int. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_set_int(s4seg_config* config, const char* key, int64_t value) S4SEG_NOEXCEPT;
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_set_double(s4seg_config* config, const char* key, double value) S4SEG_NOEXCEPT;
/** `value` is 0 (false) or non-zero (true). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_set_bool(s4seg_config* config, const char* key, int value) S4SEG_NOEXCEPT;
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_set_string(s4seg_config* config, const char* key, const char* value) S4SEG_NOEXCEPT;
/** Sets any key from text, converted to the key's type ("0.01", "true", "resnet18"...). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_set(s4seg_config* config, const char* key, const char* text) S4SEG_NOEXCEPT;

/** Typed getters; wrong type or unknown key → S4SEG_INVALID_ARGUMENT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_get_int(const s4seg_config* config, const char* key, int64_t* value) S4SEG_NOEXCEPT;
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_get_double(const s4seg_config* config, const char* key, double* value) S4SEG_NOEXCEPT;
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_get_bool(const s4seg_config* config, const char* key, int* value) S4SEG_NOEXCEPT;
/** Copies any key's value as text (a string key as is) into `buf`; `*needed` receives the size
 *  including the NUL; S4SEG_BUFFER_TOO_SMALL when `capacity < *needed`. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_get_string(const s4seg_config* config, const char* key, char* buf, size_t capacity, size_t* needed) S4SEG_NOEXCEPT;

/** Applies `key = value` lines. '#' starts a comment; blank lines are skipped; surrounding
 *  whitespace and optional double quotes around the value are removed. All-or-nothing: on any
 *  error (message names the line number and key) the config is unchanged. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_parse(s4seg_config* config, const char* text) S4SEG_NOEXCEPT;

/** Number of keys in the registry. */
S4SEG_API size_t s4seg_config_key_count(void) S4SEG_NOEXCEPT;
/** Describes registry key number `index` (0-based, registry order). Every out-pointer is optional
 *  (may be NULL) and receives a static string / value: `allowed` is never empty ("2..255",
 *  "ce|ohem", "true|false", ...). Out of range → S4SEG_INVALID_ARGUMENT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_config_key_info(size_t index, const char** name, s4seg_value_type* type,
                                                           const char** default_value, const char** allowed,
                                                           const char** doc) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Training methods                                                                            */
/* ------------------------------------------------------------------------------------------ */

/** What a method can do (s4seg_method_flags). */
typedef enum {
  S4SEG_METHOD_USES_UNLABELED = 1,  /**< learns from an unlabeled dataset (s4seg_trainer_create_semi) */
  S4SEG_METHOD_SKIPS_ON_DEVICE = 2, /**< may queue iterations: train.read_every > 1 */
  S4SEG_METHOD_DATA_PARALLEL = 4,   /**< may run with dist.world > 1 */
  S4SEG_METHOD_MEAN_TEACHER = 8     /**< an EMA teacher labels the unlabeled images; the model handle holds the teacher */
} s4seg_method_flag;

/** Number of training methods (the values train.method accepts), in registry order: the built-in
 *  ones first. Thread safety: the method functions may be called from any thread. */
S4SEG_API size_t s4seg_method_count(void) S4SEG_NOEXCEPT;
/** Method `index` (< s4seg_method_count()): its name, the train.method value, into `buf`.
 *  `*needed` (optional) receives the size including the NUL; S4SEG_BUFFER_TOO_SMALL when
 *  `capacity < *needed` (buf may then be NULL). Out of range → S4SEG_INVALID_ARGUMENT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_method_name(size_t index, char* buf, size_t capacity, size_t* needed) S4SEG_NOEXCEPT;
/** Method `index`: a one-line description into `buf`, as s4seg_method_name. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_method_summary(size_t index, char* buf, size_t capacity, size_t* needed) S4SEG_NOEXCEPT;
/** Method `index`: its s4seg_method_flag bits into `*flags`. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_method_flags(size_t index, uint32_t* flags) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Images                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/** A borrowed view of 8-bit pixels: `height` rows of `width` pixels with `channels` interleaved
 *  bytes each (1 = grey or class indices, 3 = RGB); row r starts at data + r * row_stride
 *  (row_stride >= width * channels). */
typedef struct s4seg_image_view {
  const uint8_t* data;
  int32_t width;
  int32_t height;
  int32_t channels;
  int64_t row_stride;
} s4seg_image_view;

/** An image owned by the library (decoded from a file). Thread safety: immutable after load; may
 *  be read from several threads. */
typedef struct s4seg_image s4seg_image;

/** How s4seg_image_load converts pixels. */
typedef enum s4seg_image_mode {
  S4SEG_IMAGE_RGB = 0,      /**< 3 channels; grey and palette images are expanded. */
  S4SEG_IMAGE_GREY = 1,     /**< 1 channel luminance. */
  S4SEG_IMAGE_INDICES = 2,  /**< 1 channel raw values: palette PNGs give palette indices (masks). */
  S4SEG_IMAGE_AUTO = 3      /**< 1 channel for grey files, 3 for colour; palette files → RGB. */
} s4seg_image_mode;

/** Decodes a PNG or JPEG file (type from content, not name). Missing/unreadable → S4SEG_IO;
 *  corrupt, truncated or not an image → S4SEG_FORMAT. INDICES on a JPEG → S4SEG_FORMAT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_image_load(const char* path, s4seg_image_mode mode, s4seg_image** out) S4SEG_NOEXCEPT;
/** Creates an image by copying a view. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_image_create(const s4seg_image_view* view, s4seg_image** out) S4SEG_NOEXCEPT;
/** Fills `*view` with a view of the image's pixels, valid until s4seg_image_free. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_image_get_view(const s4seg_image* image, s4seg_image_view* view) S4SEG_NOEXCEPT;
/** Frees an image; NULL is accepted. */
S4SEG_API void s4seg_image_free(s4seg_image* image) S4SEG_NOEXCEPT;
/** Writes a 1- or 3-channel view as an 8-bit PNG, atomically (temporary file then rename). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_image_save_png(const char* path, const s4seg_image_view* view) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Datasets                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** An ordered list of samples (image + optional mask). In-memory samples are copied at add time;
 *  list-file samples are checked at add time (both files readable, sizes equal) and decoded when
 *  used. Thread safety: adding needs exclusive access; a dataset no longer being added to may be
 *  used by several models/trainers at once. A trainer keeps its datasets alive. */
typedef struct s4seg_dataset s4seg_dataset;

S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_create(s4seg_dataset** out) S4SEG_NOEXCEPT;
/** Frees a dataset; NULL is accepted. Trainers using it keep their own reference. */
S4SEG_API void s4seg_dataset_free(s4seg_dataset* dataset) S4SEG_NOEXCEPT;

/** Adds one sample by copying `image` (1 or 3 channels) and, when `mask` is not NULL, `mask`
 *  (1 channel, same width/height, values are class indices, 255 = ignore). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_add(s4seg_dataset* dataset, const s4seg_image_view* image,
                                                       const s4seg_image_view* mask) S4SEG_NOEXCEPT;

/** Adds the samples of a list file: one `IMAGE [MASK]` per line, paths relative to `root`
 *  (absolute paths are used as they are; blank lines and '#' comments are skipped). Images are PNG
 *  or JPEG; masks are 8-bit PNG of class indices (palette PNGs read as indices). All-or-nothing:
 *  on error (message names the list line) the dataset is unchanged. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_add_list(s4seg_dataset* dataset, const char* root,
                                                            const char* list_path) S4SEG_NOEXCEPT;

/** Folder layouts of the public benchmarks that s4seg_dataset_add_layout reads as they are
 *  (docs/datasets.md shows the folder trees). */
typedef enum s4seg_layout {
  S4SEG_LAYOUT_LIST = 0,       /**< `IMAGE [MASK]` list lines, masks used as stored (as s4seg_dataset_add_list). */
  S4SEG_LAYOUT_VOC = 1,        /**< PASCAL VOC 2012 (+SBD aug): JPEGImages/ID.jpg with SegmentationClass/ID.png
                                    (or SegmentationClassAug/ID.png) read as indices: classes 0..20, 255 = the
                                    object borders (ignored). Any other mask value is S4SEG_FORMAT when the sample
                                    is read (the message names the file and the value). */
  S4SEG_LAYOUT_CITYSCAPES = 2  /**< Cityscapes: leftImg8bit/SPLIT/CITY/NAME_leftImg8bit.png with
                                    gtFine/SPLIT/CITY/NAME_gtFine_labelIds.png, whose ids are mapped to the 19 train
                                    ids (every other id → 255); NAME_gtFine_labelTrainIds.png masks are read as
                                    they are. */
} s4seg_layout;

/** s4seg_dataset_add_layout flag: the masks a split names are neither checked nor read, and the
 *  samples have none (the unlabeled splits of the UniMatch-family codebases name masks that may
 *  not exist). */
#define S4SEG_DATASET_IGNORE_MASKS 1u

/** Adds the samples of a benchmark dataset folder. `root`: the folder holding JPEGImages/ (VOC) or
 *  leftImg8bit/ and gtFine/ (Cityscapes). `split`: a split name (a bare word such as "train", no
 *  '/' or '.') or the path of a split file.
 *  - A split file has one sample per line: `IMAGE MASK` or `IMAGE` (no mask) relative to `root`,
 *    so the split files of the UniMatch-family codebases load as they are; for VOC a line may also
 *    be a bare image id (`2007_000032`, as in ImageSets/Segmentation/NAME.txt), which names
 *    JPEGImages/ID.jpg and its mask. For Cityscapes, a NAME_gtFine_labelTrainIds.png that does not
 *    exist is replaced by NAME_gtFine_labelIds.png, mapped (so the official preprocessing script
 *    need not have run).
 *  - A split name: VOC: ImageSets/Segmentation/NAME.txt ("train", "val", "trainval"); Cityscapes:
 *    every NAME_leftImg8bit.png under leftImg8bit/SPLIT/ ("train", "val", "test"), sorted by
 *    city and name, with its gtFine labelIds mask.
 *  - VOC bare ids take their masks from SegmentationClassAug/ when that folder exists, else from
 *    SegmentationClass/.
 *  `flags`: 0 or S4SEG_DATASET_IGNORE_MASKS (other bits → S4SEG_INVALID_ARGUMENT). Files are checked
 *  (readable, image and mask sizes equal) now and decoded only when used. All-or-nothing: on error
 *  (the message names the file or the split line) the dataset is unchanged. An unknown layout →
 *  S4SEG_INVALID_ARGUMENT; a missing root folder, split file or split folder → S4SEG_IO; a split
 *  line of three fields → S4SEG_FORMAT. S4SEG_LAYOUT_LIST is s4seg_dataset_add_list (`split` is
 *  the list file) with the flag honoured. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_add_layout(s4seg_dataset* dataset, s4seg_layout layout, const char* root,
                                                              const char* split, uint32_t flags) S4SEG_NOEXCEPT;

/** Keeps up to `bytes` of decoded file-backed samples in memory for reuse, counted as pixel bytes
 *  (image + mask); least recently used samples are evicted first, at once when the limit shrinks;
 *  a sample larger than the whole limit is not kept; 0, the default, keeps none. In-memory
 *  samples are not cached. Safe while trainers read the dataset. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_set_cache(s4seg_dataset* dataset, uint64_t bytes) S4SEG_NOEXCEPT;

/** Cache figures since the dataset was created: `bytes` held now (never above the limit), `hits`
 *  (reads served from memory) and `misses` (file-backed reads decoded from disk, also while the
 *  cache is off). Any out-pointer may be NULL. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_cache_stats(const s4seg_dataset* dataset, uint64_t* bytes, uint64_t* hits,
                                                               uint64_t* misses) S4SEG_NOEXCEPT;

/** Appends `count` synthetic samples (RGB scenes of textured shapes, one class per shape kind,
 *  class 0 = background, every pixel labelled) of `width` x `height`, deterministic in `seed`.
 *  num_classes in 2..32, width/height in 16..4096, count in 1..1000000. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_add_synthetic(s4seg_dataset* dataset, int64_t count, int32_t width,
                                                                 int32_t height, int32_t num_classes,
                                                                 uint64_t seed) S4SEG_NOEXCEPT;

/** Number of samples. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_size(const s4seg_dataset* dataset, int64_t* size) S4SEG_NOEXCEPT;

/** The image file of sample `index` (0 ≤ index < size) as the list or split named it, joined with
 *  its root ("" for samples added from memory), into `buf`; `*needed` (optional) receives the size
 *  including the NUL; S4SEG_BUFFER_TOO_SMALL when it does not fit. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_image_path(const s4seg_dataset* dataset, int64_t index, char* buf,
                                                              size_t capacity, size_t* needed) S4SEG_NOEXCEPT;

/** Loads sample `index`: `*image` receives its image (RGB or grey, as added) and, when `mask` is
 *  not NULL, `*mask` its mask, or NULL if the sample has none. Free both with s4seg_image_free. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_dataset_get(const s4seg_dataset* dataset, int64_t index, s4seg_image** image,
                                                       s4seg_image** mask) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/** A segmentation network (DeepLabV3+ on a ResNet) and the config that built it. Thread safety:
 *  predict/evaluate calls on one model are serialised internally; do not use a model while a
 *  trainer that owns it is inside s4seg_trainer_step. */
typedef struct s4seg_model s4seg_model;

/** Builds a freshly initialised model from the `model.*` keys and `device` of `config` (NULL =
 *  defaults). An unavailable device → S4SEG_DEVICE with the reason. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_create(const s4seg_config* config, s4seg_model** out) S4SEG_NOEXCEPT;
/** Frees a model handle; NULL is accepted. A trainer using the model keeps it alive. */
S4SEG_API void s4seg_model_free(s4seg_model* model) S4SEG_NOEXCEPT;

/** Saves weights and config to `path` (atomic: temporary file, fsync, rename). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_save(const s4seg_model* model, const char* path) S4SEG_NOEXCEPT;
/** Loads a model file (or a trainer checkpoint) onto `device` ("auto", "cpu", "cuda:N"; NULL =
 *  "auto"). Missing file → S4SEG_IO; truncated, corrupt, empty or foreign → S4SEG_FORMAT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_load(const char* path, const char* device, s4seg_model** out) S4SEG_NOEXCEPT;

/** Number of classes the model predicts. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_num_classes(const s4seg_model* model, int32_t* num_classes) S4SEG_NOEXCEPT;
/** Copies the config the model was built with (free it with s4seg_config_free). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_get_config(const s4seg_model* model, s4seg_config** out) S4SEG_NOEXCEPT;
/** Writes the device the model runs on ("cpu", "cuda:0", ...; what "auto" resolved to) into `buf`;
 *  `*needed` receives the size including the NUL; S4SEG_BUFFER_TOO_SMALL when `capacity < *needed`. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_device(const s4seg_model* model, char* buf, size_t capacity, size_t* needed) S4SEG_NOEXCEPT;

/** Loads pretrained encoder weights (e.g. ImageNet) into `model`: a PyTorch `torch.save` state dict
 *  exactly as torchvision publishes it (resnet50-*.pth; zip or legacy format, OrderedDict with
 *  _metadata, also nested under "state_dict"/"model") or a safetensors file, chosen by content.
 *  Names are torchvision's; "module." and "backbone." prefixes are stripped and the classifier
 *  (fc.*) is skipped; num_batches_tracked may be absent. Every encoder of the model gets the
 *  weights (both branches of an rrn model); decoders keep their initialisation. Strict: a missing,
 *  unexpected or mis-shaped tensor → S4SEG_FORMAT with their names, and the model is unchanged
 *  (a reduced model.width never fits torchvision weights). Missing file → S4SEG_IO. Load before
 *  creating a trainer: a trainer's student copies the weights at creation. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_load_backbone(s4seg_model* model, const char* path) S4SEG_NOEXCEPT;
/** As s4seg_model_load_backbone, but loads the tensors that fit and leaves the others as they are;
 *  s4seg_model_backbone_report says which. A file of which nothing fits is still S4SEG_FORMAT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_load_backbone_partial(s4seg_model* model, const char* path) S4SEG_NOEXCEPT;
/** A sentence on the latest encoder load of this model handle (model.pretrained at creation, or the
 *  calls above): how many tensors were loaded, the classifier skipped, missing / unexpected /
 *  mis-shaped names. Empty when none happened. Buffer protocol as s4seg_model_device. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_backbone_report(const s4seg_model* model, char* buf, size_t capacity,
                                                                 size_t* needed) S4SEG_NOEXCEPT;
/** Writes the encoder's weights (branch 1) to `path` as a safetensors file with torchvision names,
 *  which s4seg_model_load_backbone (and Python's safetensors) read. Atomic write. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_save_backbone(const s4seg_model* model, const char* path) S4SEG_NOEXCEPT;

/** The name of class `index` (0..num_classes-1), from model.class_names; saved with the model.
 *  Buffer protocol as s4seg_model_device. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_class_name(const s4seg_model* model, int32_t index, char* buf,
                                                            size_t capacity, size_t* needed) S4SEG_NOEXCEPT;
/** The display colours of the classes, from model.palette: 3 bytes (R, G, B) per class into `rgb`
 *  (`capacity` bytes); `*needed` (optional) receives 3 · num_classes. Saved with the model. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_palette(const s4seg_model* model, uint8_t* rgb, size_t capacity,
                                                         size_t* needed) S4SEG_NOEXCEPT;

/** FLOPs (2 per multiply-add) of the convolutions and matrix products of one forward pass of the
 *  model on one width x height image (8..16384 each), counted from the operators that run (a
 *  forward pass on the model's device, in eval mode). Element-wise operations, normalisation,
 *  pooling and resizing are not counted. For benchmarks: a training step costs about 3x this per
 *  image through the student. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_flops(s4seg_model* model, int32_t width, int32_t height,
                                                       double* flops) S4SEG_NOEXCEPT;

/** Predicts one image (1 or 3 channels, any size ≥ 8x8). Writes width*height class indices,
 *  row-major without padding, into `labels` (`labels_capacity` bytes, at least width*height) and,
 *  when `confidence` is not NULL, the top-class softmax probability per pixel into `confidence`
 *  (`confidence_capacity` floats, at least width*height). A smaller buffer → S4SEG_BUFFER_TOO_SMALL
 *  before the network runs. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_predict(s4seg_model* model, const s4seg_image_view* image, uint8_t* labels,
                                                         size_t labels_capacity, float* confidence,
                                                         size_t confidence_capacity) S4SEG_NOEXCEPT;

/** Predicts `count` images; image i's labels (and confidences) follow image i-1's, each
 *  width_i*height_i long. Capacities cover the sum. Same-size images run as one batch. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_predict_batch(s4seg_model* model, const s4seg_image_view* images,
                                                               size_t count, uint8_t* labels, size_t labels_capacity,
                                                               float* confidence,
                                                               size_t confidence_capacity) S4SEG_NOEXCEPT;

/** Turns CUDA-graph inference (the model.cuda_graphs key) on (non-zero) or off for this model. On
 *  a CUDA device, predict, predict_batch and evaluate then replay the forward as one CUDA graph
 *  per input shape (batch, height, width): lower latency for small batches. A shape's first call
 *  runs eagerly, its second captures the graph; the 4 most recently used graphs are kept, each
 *  with its own activation memory. A failed capture → S4SEG_DEVICE with CUDA's reason, for that
 *  shape until the graphs are switched off. Off frees the captured graphs.
 *  The setting is part of the model's config (s4seg_model_get_config, s4seg_model_save). No
 *  effect on a CPU model. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_set_cuda_graphs(s4seg_model* model, int enabled) S4SEG_NOEXCEPT;

/** Evaluates the model on every masked sample of `dataset` (pixels labelled 255 are ignored).
 *  `*miou` = mean IoU over classes present in ground truth or prediction; `*pixel_accuracy` =
 *  correct / labelled pixels. When `class_iou` is not NULL it receives num_classes values
 *  (`class_iou_capacity` ≥ num_classes, else S4SEG_BUFFER_TOO_SMALL before any image is read), NaN for a
 *  class absent from both. Any out-pointer may be NULL. A dataset without masks → S4SEG_INVALID_ARGUMENT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_model_evaluate(s4seg_model* model, const s4seg_dataset* dataset, double* miou,
                                                          double* pixel_accuracy, double* class_iou,
                                                          size_t class_iou_capacity) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Training                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** Trains a model in place on a labeled dataset (and, for the semi-supervised methods, an unlabeled
 *  one) with the `train.*` keys of a config. Semi-supervised methods train an internal student and
 *  keep the model itself as the EMA teacher, so predict/evaluate/save on the model handle use the
 *  teacher at any point of training. Thread safety: one thread at a time may call into a trainer,
 *  except s4seg_trainer_cancel, which any thread may call at any time. The trainer keeps its model
 *  and datasets alive. train.threads (LibTorch's CPU pool) and, on CUDA, cuDNN's benchmark mode
 *  are process-wide: s4seg_trainer_create and each s4seg_trainer_step apply them for their own
 *  duration and put the host's values back before returning. */
typedef struct s4seg_trainer s4seg_trainer;

/** Training figures. Set struct_size (s4seg_train_stats_init does) before passing it; fields are
 *  only appended in later versions. The stats a step call returns cover that whole call; the stats
 *  a progress callback receives cover the iterations since the previous callback. */
typedef struct s4seg_train_stats {
  size_t struct_size;
  int64_t iteration;         /**< iterations completed in total. */
  int64_t total_iterations;  /**< train.iters. */
  double loss;               /**< mean total loss over the iterations covered. */
  double learning_rate;      /**< base learning rate of the last iteration. */
  double seconds;            /**< wall time of the iterations covered. */
  double images_per_second;  /**< images (labeled + unlabeled) per second, summed over the ranks of a data-parallel job. */
  double eta_seconds;        /**< estimated time to total_iterations at the current pace. */
  /* Added in 0.2 (a caller built against 0.1 passes the smaller struct_size and gets the fields above). */
  double pseudo_keep_ratio;  /**< share of unlabeled pixels the pseudo-label filter kept (weighted); -1 if none. */
  double pseudo_accuracy;    /**< share of kept pseudo-labels that match the unlabeled images' own masks, where
                                  those carry masks; -1 when none do. */
} s4seg_train_stats;

/** Sets struct_size and zeroes the rest. */
S4SEG_API void s4seg_train_stats_init(s4seg_train_stats* stats) S4SEG_NOEXCEPT;

/** Progress callback: runs on the thread inside s4seg_trainer_step every `train.log_every`
 *  iterations (and after the last iteration of the call); return non-zero to stop (the step call
 *  then returns S4SEG_CANCELLED). It may use the trained model (predict, evaluate, save) and
 *  s4seg_trainer_save_checkpoint, but must not call s4seg_trainer_step or s4seg_trainer_resume. */
typedef int (*s4seg_progress_fn)(const s4seg_train_stats* stats, void* user_data);

/** Creates a trainer for `model` on `labeled` (every sample must have a mask) with `config`
 *  (NULL = defaults; copied). The model's device is used. With dist.world_size > 1 it joins a
 *  data-parallel job at dist.master as rank dist.rank (docs/distributed.md): it blocks until every
 *  rank has joined; a rank that never comes, or one that is unreachable, gives S4SEG_IO after
 *  dist.timeout seconds, and a config that differs from rank 0's gives S4SEG_INVALID_ARGUMENT. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_create(s4seg_model* model, s4seg_dataset* labeled,
                                                          const s4seg_config* config,
                                                          s4seg_trainer** out) S4SEG_NOEXCEPT;
/** Creates a trainer that also learns from `unlabeled` (samples need no mask; where they have one it
 *  is only used to report pseudo-label accuracy). The methods flagged S4SEG_METHOD_USES_UNLABELED
 *  (s4seg_method_flags) use it and fail with S4SEG_INVALID_ARGUMENT without it; the others ignore
 *  it. A method whose model differs from the plain one (rrn: two branches with discriminators, rc2l:
 *  a mask-classification head, css: a representation head) needs a model created with the same
 *  train.method; another model gives S4SEG_INVALID_ARGUMENT.
 *  `unlabeled` may be NULL (same as s4seg_trainer_create). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_create_semi(s4seg_model* model, s4seg_dataset* labeled,
                                                               s4seg_dataset* unlabeled, const s4seg_config* config,
                                                               s4seg_trainer** out) S4SEG_NOEXCEPT;
/** Frees a trainer; NULL is accepted. */
S4SEG_API void s4seg_trainer_free(s4seg_trainer* trainer) S4SEG_NOEXCEPT;

/** Sets (or with fn = NULL clears) the progress callback. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_set_progress(s4seg_trainer* trainer, s4seg_progress_fn fn,
                                                                void* user_data) S4SEG_NOEXCEPT;

/** Runs up to `iterations` (≥ 1) training iterations, stopping at train.iters. `stats` (optional)
 *  receives the figures of this call. Already at train.iters → S4SEG_STATE. A NaN/Inf loss →
 *  S4SEG_DIVERGED before that iteration's update (weights stay as they were). Cancel → S4SEG_CANCELLED
 *  after the iteration in progress (completed iterations are kept). In a data-parallel job every rank
 *  must call it with the same counts; a NaN or a cancel on any rank stops every rank at the same
 *  iteration, before its update, and a rank that left gives S4SEG_IO on the others.
 *  With train.read_every = N > 1 (methods flagged S4SEG_METHOD_SKIPS_ON_DEVICE) the loss is read every N iterations, at each
 *  progress callback and before returning: a NaN still cancels its update and all later ones on the
 *  device, and S4SEG_DIVERGED names that iteration, whose number s4seg_trainer_iteration then gives. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_step(s4seg_trainer* trainer, int64_t iterations,
                                                        s4seg_train_stats* stats) S4SEG_NOEXCEPT;

/** Asks a running (or the next) s4seg_trainer_step to stop after its current iteration; the request
 *  is used up by the step call it stops. Safe to call from any thread while the step runs, and
 *  async-signal-safe for a valid trainer (one atomic store: usable from a SIGINT handler); for that
 *  reason a successful call leaves s4seg_last_error() as it was. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_cancel(s4seg_trainer* trainer) S4SEG_NOEXCEPT;

/** Iterations completed so far. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_iteration(const s4seg_trainer* trainer, int64_t* iteration) S4SEG_NOEXCEPT;

/** Named figures of the iterations the latest s4seg_train_stats covered (the last step call, or,
 *  inside a progress callback, the callback's window): each loss term ("loss/supervised",
 *  "loss/unsupervised", "loss/prototype", "loss/contrast" ...) and the methods' metrics
 *  ("pseudo/keep_ratio", "pseudo/accuracy" ...). `count` receives how many there are. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_metric_count(const s4seg_trainer* trainer, size_t* count) S4SEG_NOEXCEPT;
/** Metric `index` (< count): its name into `name` (capacity `name_capacity` bytes; `name_needed`
 *  optional, receives the size with the terminating NUL; S4SEG_BUFFER_TOO_SMALL if it does not fit)
 *  and its value into `value` (optional). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_metric(const s4seg_trainer* trainer, size_t index, char* name,
                                                          size_t name_capacity, size_t* name_needed,
                                                          double* value) S4SEG_NOEXCEPT;

/** Saves a checkpoint: model weights and config, optimizer state, iteration and sampling state
 *  (atomic write). s4seg_model_load also accepts a checkpoint. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_save_checkpoint(const s4seg_trainer* trainer, const char* path) S4SEG_NOEXCEPT;
/** Restores a checkpoint into this trainer (its model must have the same architecture). Training
 *  then continues exactly where the checkpoint left off. On error the trainer is unchanged. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_trainer_resume(s4seg_trainer* trainer, const char* path) S4SEG_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Pseudo-labels                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** Turns a trained model (the teacher) into filtered pseudo-labels for a host: per pixel the label
 *  (255 where filtered out), the teacher's confidence, and per-class counts. The filter comes from
 *  the `pseudo.*` keys of a config (pseudo.filter: threshold, class_adaptive, entropy, soft,
 *  discriminator (models with discriminators, e.g. trained with rrn), none; auto = threshold). Thread safety: one thread at a time per labeler; it keeps its model alive and
 *  locks it while labelling. */
typedef struct s4seg_labeler s4seg_labeler;

/** Creates a labeler for `model` with the pseudo.* keys of `config` (NULL = defaults; copied). */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_labeler_create(s4seg_model* model, const s4seg_config* config,
                                                          s4seg_labeler** out) S4SEG_NOEXCEPT;
/** Frees a labeler; NULL is accepted. */
S4SEG_API void s4seg_labeler_free(s4seg_labeler* labeler) S4SEG_NOEXCEPT;

/** Labels one image (the view is read, not kept). `labels` receives a new 1-channel image of class
 *  indices, 255 where the filter dropped the pixel; `confidence` (optional) a new 1-channel image
 *  of round(255 · max class probability). `predicted` and `kept` (optional, each `class_capacity`
 *  ≥ model classes entries, else S4SEG_BUFFER_TOO_SMALL) receive per class the pixels the teacher
 *  predicted and those the filter kept. Free the images with s4seg_image_free. On error nothing is
 *  written. */
S4SEG_API S4SEG_NODISCARD s4seg_status s4seg_labeler_run(s4seg_labeler* labeler, const s4seg_image_view* image,
                                                       s4seg_image** labels, s4seg_image** confidence,
                                                       uint64_t* predicted, uint64_t* kept,
                                                       size_t class_capacity) S4SEG_NOEXCEPT;

#if defined(__cplusplus) && !defined(SWIG)
}
#endif

#endif /* S4SEG_S4SEG_H */

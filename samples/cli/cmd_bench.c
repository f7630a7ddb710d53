/* `s4seg bench`: times training steps of each method and inference, after warm-up, and prints one
 * JSON line per case (the format bench/reference/ and bench/side_by_side.sh read). */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "config_util.h"
#include "json_writer.h"
#include "methods.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg bench [--device D] [--backbone NAME] [--classes C] [--crop S] [--batch B]\n"
    "                   [--unlabeled-batch U] [--cases LIST] [--warmup N] [--steps N]\n"
    "                   [--infer-batch N] [--read-every N] [--config FILE] [--set KEY=VALUE]...\n"
    "\n"
    "Times what a host would run, on built-in synthetic images held in memory (no decoding):\n"
    "training steps of each method in --cases (any name `s4seg info` lists: B labeled and, for the\n"
    "semi-supervised ones, U unlabeled crops of S x S per step) and inference ('infer': batch-1\n"
    "latency and batch-N throughput on S x S images; on CUDA both again as infer/*_cuda_graph, with\n"
    "model.cuda_graphs). Each case runs --warmup steps, then --steps\n"
    "timed ones in one s4seg_trainer_step call, which ends with a read of the loss, so the timed\n"
    "region ends on the device too. Inside it the loss is read every --read-every steps\n"
    "(train.read_every; methods that cannot skip an update on the device read every step).\n"
    "Prints one JSON line per case:\n"
    "  {\"impl\":\"s4seg\",\"case\":\"train/fixmatch\",\"device\":..,\"backbone\":..,\"crop\":..,\n"
    "   \"batch\":..,\"unlabeled_batch\":..,\"steps\":..,\"ms_per_step\":..,\"images_per_s\":..,\n"
    "   \"peak_memory_mb\":..,\"gflops_per_image\":..,\"tflops\":..,\"read_every\":..}\n"
    "images_per_s counts labeled + unlabeled images. gflops_per_image is one forward pass\n"
    "(convolutions and matrix products, s4seg_model_flops); tflops assumes 3 forward passes' worth\n"
    "per image through the trained network plus 1 per unlabeled image through the EMA teacher\n"
    "(the mean-teacher methods), the convention of bench/reference/. peak_memory_mb: the device's\n"
    "allocator peak on CUDA, the process's peak resident memory on the CPU.\n"
    "\n"
    "options:\n"
    "  --device D           auto (default), cpu, cuda or cuda:N\n"
    "  --backbone NAME      resnet18, resnet34, resnet50 or resnet101 (default resnet50)\n"
    "  --classes C          classes (default 21)\n"
    "  --crop S             training crop and inference image size (default 513)\n"
    "  --batch B            labeled images per step (default 8)\n"
    "  --unlabeled-batch U  unlabeled images per step (default B)\n"
    "  --cases LIST         comma-separated (default supervised,fixmatch,infer)\n"
    "  --warmup N           untimed steps first (default 3)\n"
    "  --steps N            timed steps (default 10)\n"
    "  --infer-batch N      images of the batched inference case (default 8)\n"
    "  --read-every N       train.read_every where the method can skip on the device (default 1)\n"
    "  --config FILE        'key = value' lines (model.*, train.*, ...)\n"
    "  --set KEY=VALUE      any configuration key; may be repeated\n";

typedef struct bench_options {
  const char *device, *backbone, *cases, *config_file;
  int64_t classes, crop, batch, unlabeled_batch, warmup, steps, infer_batch, read_every;
  arg_list sets;
} bench_options;

/* Figures of one case, printed as one JSON line. */
typedef struct bench_result {
  const char* name;
  char device[32];
  int64_t batch, unlabeled_batch, steps, read_every;
  double seconds, images, peak_bytes, forward_flops, step_flops;
} bench_result;

static void print_result(const bench_options* o, const bench_result* r) {
  const double per_step = r->seconds / (double)r->steps;
  json_writer w;
  json_begin(&w, stdout);
  json_object_begin(&w);
  json_member_string(&w, "impl", "s4seg");
  json_member_string(&w, "case", r->name);
  json_member_string(&w, "device", r->device);
  json_member_string(&w, "backbone", o->backbone);
  json_member_int(&w, "crop", o->crop);
  json_member_int(&w, "batch", r->batch);
  json_member_int(&w, "unlabeled_batch", r->unlabeled_batch);
  json_member_int(&w, "steps", r->steps);
  json_member_fixed(&w, "ms_per_step", 1000.0 * per_step, 3);
  json_member_fixed(&w, "images_per_s", r->images / r->seconds, 3);
  json_member_fixed(&w, "peak_memory_mb", r->peak_bytes / (1024.0 * 1024.0), 1);
  json_key(&w, "gflops_per_image");
  json_number(&w, r->forward_flops / 1e9, 4);
  json_key(&w, "tflops");
  json_number(&w, r->step_flops / per_step / 1e12, 4);
  json_member_int(&w, "read_every", r->read_every);
  json_object_end(&w);
  json_end_line(&w);
  fflush(stdout);
}

/* Defaults, then --config, then the options, then each --set (config_build); train.method =
 * `method`. Returns an exit status. */
static int build_config(const bench_options* o, const char* method, int64_t iterations, s4seg_config** out) {
  char classes[24], iters[24], batch[24], unlabeled[24], crop[24], read_every[24];
  uint32_t flags = 0;
  /* Methods that cannot skip an update on the device read every step. */
  const int queues = cli_method_flags(method, &flags) && (flags & S4SEG_METHOD_SKIPS_ON_DEVICE);
  const config_setting settings[] = {
      {"device", o->device},
      {"model.backbone", o->backbone},
      {"model.num_classes", config_int_text(o->classes, 0, classes)},
      {"train.method", method},
      {"train.iters", config_int_text(iterations, 0, iters)},
      {"train.batch_size", config_int_text(o->batch, 0, batch)},
      {"train.unlabeled_batch_size", config_int_text(o->unlabeled_batch, 0, unlabeled)},
      {"train.crop_size", config_int_text(o->crop, 0, crop)},
      {"train.log_every", config_int_text(iterations, 0, iters)},
      {"train.read_every", queues ? config_int_text(o->read_every, 0, read_every) : NULL},
  };
  return config_build(NULL, o->config_file, settings, sizeof settings / sizeof settings[0], &o->sets, out);
}

static s4seg_status synthetic(int64_t count, int64_t size, int64_t classes, uint64_t seed, s4seg_dataset** out) {
  s4seg_status st = s4seg_dataset_create(out);
  /* The generator makes up to 32 classes; more only leave the upper ones empty. */
  if (st == S4SEG_OK)
    st = s4seg_dataset_add_synthetic(*out, count, (int32_t)size, (int32_t)size, (int32_t)(classes < 32 ? classes : 32), seed);
  return st;
}

static s4seg_status model_figures(s4seg_model* model, const bench_options* o, bench_result* r) {
  size_t needed = 0;
  s4seg_status st = s4seg_model_device(model, r->device, sizeof r->device, &needed);
  if (st == S4SEG_OK) st = s4seg_model_flops(model, (int32_t)o->crop, (int32_t)o->crop, &r->forward_flops);
  return st;
}

static s4seg_status peak_after(const char* device, bench_result* r) {
  uint64_t peak = 0;
  s4seg_status st = s4seg_device_memory(device, NULL, &peak);
  r->peak_bytes = (double)peak;
  return st;
}

/* Starts a new memory peak; where the platform cannot (no /proc), the peak covers the whole run. */
static s4seg_status reset_peak(const char* device) {
  s4seg_status st = s4seg_device_reset_peak_memory(device);
  return st == S4SEG_UNSUPPORTED ? S4SEG_OK : st;
}

/* One training case: warm-up steps, reset of the memory peak, timed steps. */
static s4seg_status bench_train(const bench_options* o, const char* method, const s4seg_config* config, bench_result* r) {
  uint32_t flags = 0;
  const int known = cli_method_flags(method, &flags);
  const int semi = known && (flags & S4SEG_METHOD_USES_UNLABELED);
  const int with_teacher = known && (flags & S4SEG_METHOD_MEAN_TEACHER);
  s4seg_dataset *labeled = NULL, *unlabeled = NULL;
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = NULL;
  s4seg_train_stats stats;
  s4seg_status st = synthetic(2 * o->batch, o->crop, o->classes, 1, &labeled);
  if (st == S4SEG_OK && semi) st = synthetic(2 * o->unlabeled_batch, o->crop, o->classes, 2, &unlabeled);
  if (st == S4SEG_OK) st = s4seg_model_create(config, &model);
  if (st == S4SEG_OK) st = model_figures(model, o, r);
  if (st == S4SEG_OK) st = s4seg_trainer_create_semi(model, labeled, unlabeled, config, &trainer);
  s4seg_train_stats_init(&stats);
  if (st == S4SEG_OK && o->warmup > 0) st = s4seg_trainer_step(trainer, o->warmup, &stats);
  if (st == S4SEG_OK) st = reset_peak(r->device);
  if (st == S4SEG_OK) st = s4seg_trainer_step(trainer, o->steps, &stats);
  if (st == S4SEG_OK) st = peak_after(r->device, r);
  if (st == S4SEG_OK) {
    const double student = (double)(o->batch + (semi ? o->unlabeled_batch : 0));
    r->batch = o->batch;
    r->unlabeled_batch = semi ? o->unlabeled_batch : 0;
    r->steps = o->steps;
    r->seconds = stats.seconds;
    st = s4seg_config_get_int(config, "train.read_every", &r->read_every);
    r->images = student * (double)o->steps;
    r->step_flops = r->forward_flops * (3.0 * student + (with_teacher ? (double)o->unlabeled_batch : 0.0));
  }
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_dataset_free(unlabeled);
  s4seg_dataset_free(labeled);
  return st;
}

/* Times `steps` predictions of `count` images (after 2 untimed ones). */
static s4seg_status time_predict(s4seg_model* model, const s4seg_image_view* views, size_t count, const bench_options* o,
                                 uint8_t* labels, bench_result* r) {
  const size_t pixels = (size_t)o->crop * (size_t)o->crop * count;
  int64_t i;
  double t0;
  s4seg_status st = S4SEG_OK;
  for (i = 0; st == S4SEG_OK && i < 2; ++i) st = s4seg_model_predict_batch(model, views, count, labels, pixels, NULL, 0);
  if (st == S4SEG_OK) st = reset_peak(r->device);
  t0 = cli_now_seconds();
  for (i = 0; st == S4SEG_OK && i < o->steps; ++i)
    st = s4seg_model_predict_batch(model, views, count, labels, pixels, NULL, 0);
  r->seconds = cli_now_seconds() - t0;
  if (st == S4SEG_OK) st = peak_after(r->device, r);
  r->batch = (int64_t)count;
  r->unlabeled_batch = 0;
  r->steps = o->steps;
  r->read_every = 1; /* every prediction returns its labels to the host */
  r->images = (double)count * (double)o->steps;
  r->step_flops = r->forward_flops * (double)count;
  return st;
}

/* Batch-1 latency and batch-N throughput of one model (predict into caller buffers, as hosts do);
 * on CUDA both again with CUDA-graph replay. r[0..1] are without graphs, r[2..3] with them;
 * `*count` says how many were filled. */
static s4seg_status bench_infer(const bench_options* o, const s4seg_config* config, bench_result r[4], int* count) {
  const size_t side = (size_t)o->crop, n = (size_t)o->infer_batch;
  s4seg_model* model = NULL;
  s4seg_image_view* views = calloc(n, sizeof *views);
  uint8_t* image = malloc(side * side * 3);
  uint8_t* labels = malloc(side * side * n);
  size_t i;
  s4seg_status st = views && image && labels ? S4SEG_OK : S4SEG_OUT_OF_MEMORY;
  if (st == S4SEG_OK) {
    for (i = 0; i < side * side * 3; ++i) image[i] = (uint8_t)((i * 2654435761u) >> 24);
    for (i = 0; i < n; ++i) {
      views[i].data = image;
      views[i].width = (int32_t)side;
      views[i].height = (int32_t)side;
      views[i].channels = 3;
      views[i].row_stride = (int64_t)(side * 3);
    }
  }
  if (st == S4SEG_OK) st = s4seg_model_create(config, &model);
  if (st == S4SEG_OK) st = model_figures(model, o, &r[0]);
  *count = 0;
  if (st == S4SEG_OK) st = s4seg_model_set_cuda_graphs(model, 0); /* whatever --set said */
  if (st == S4SEG_OK) {
    r[1] = r[2] = r[3] = r[0];
    st = time_predict(model, views, 1, o, labels, &r[0]);
  }
  if (st == S4SEG_OK) st = time_predict(model, views, n, o, labels, &r[1]);
  if (st == S4SEG_OK) *count = 2;
  if (st == S4SEG_OK && strncmp(r[0].device, "cuda", 4) == 0) {
    st = s4seg_model_set_cuda_graphs(model, 1);
    if (st == S4SEG_OK) st = time_predict(model, views, 1, o, labels, &r[2]);
    if (st == S4SEG_OK) st = time_predict(model, views, n, o, labels, &r[3]);
    if (st == S4SEG_OK) *count = 4;
  }
  s4seg_model_free(model);
  free(labels);
  free(image);
  free(views);
  return st;
}

static int run_case(const bench_options* o, const char* name) {
  static const char* const kInferNames[4] = {"infer/batch1", "infer/batchN", "infer/batch1_cuda_graph",
                                              "infer/batchN_cuda_graph"};
  bench_result r, infer[4];
  char label[64];
  s4seg_status st;
  int i, count = 0;
  memset(&r, 0, sizeof r);
  s4seg_config* config = NULL;
  const int is_infer = strcmp(name, "infer") == 0;
  int result = build_config(o, is_infer ? "supervised" : name, is_infer ? 1 : o->warmup + o->steps, &config);
  if (result != CLI_EXIT_OK) return result;
  if (is_infer) {
    memset(infer, 0, sizeof infer);
    st = bench_infer(o, config, infer, &count);
    result = st == S4SEG_OK ? CLI_EXIT_OK : cli_fail(st);
    s4seg_config_free(config);
    for (i = 0; i < count; ++i) {
      infer[i].name = kInferNames[i];
      print_result(o, &infer[i]);
    }
    return result;
  }
  snprintf(label, sizeof label, "train/%s", name);
  r.name = label;
  st = bench_train(o, name, config, &r);
  result = st == S4SEG_OK ? CLI_EXIT_OK : cli_fail(st);
  s4seg_config_free(config);
  if (result != CLI_EXIT_OK) return result;
  print_result(o, &r);
  return CLI_EXIT_OK;
}

static int known_case(const char* name) {
  uint32_t flags = 0;
  return strcmp(name, "infer") == 0 || cli_method_flags(name, &flags);
}

/* Runs each comma-separated case in order; stops at the first failure. */
static int run_cases(const bench_options* o, const char* usage, const char* command) {
  char* list = malloc(strlen(o->cases) + 1);
  char* name;
  int result = CLI_EXIT_OK;
  if (list == NULL) return cli_error("out of memory");
  strcpy(list, o->cases);
  for (name = strtok(list, ","); name != NULL && result == CLI_EXIT_OK; name = strtok(NULL, ","))
    if (!known_case(name)) result = cli_usage_error(command, usage, "unknown case '%s'", name);
  strcpy(list, o->cases);
  for (name = strtok(list, ","); name != NULL && result == CLI_EXIT_OK; name = strtok(NULL, ",")) result = run_case(o, name);
  free(list);
  return result;
}

static int run(int argc, char** argv) {
  bench_options o;
  arg_spec specs[] = {{"--device", ARG_STRING, 0, &o.device, 0, 0},
                      {"--backbone", ARG_STRING, 0, &o.backbone, 0, 0},
                      {"--classes", ARG_INT, 0, &o.classes, 2, 0},
                      {"--crop", ARG_INT, 0, &o.crop, 16, 0},
                      {"--batch", ARG_INT, 0, &o.batch, 1, 0},
                      {"--unlabeled-batch", ARG_INT, 0, &o.unlabeled_batch, 1, 0},
                      {"--cases", ARG_STRING, 0, &o.cases, 0, 0},
                      {"--warmup", ARG_INT, 0, &o.warmup, 0, 0},
                      {"--steps", ARG_INT, 0, &o.steps, 1, 0},
                      {"--infer-batch", ARG_INT, 0, &o.infer_batch, 1, 0},
                      {"--read-every", ARG_INT, 0, &o.read_every, 1, 0},
                      {"--config", ARG_STRING, 0, &o.config_file, 0, 0},
                      {"--set", ARG_LIST, 0, &o.sets, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int result;
  memset(&o, 0, sizeof o);
  o.backbone = "resnet50";
  o.cases = "supervised,fixmatch,infer";
  o.classes = 21;
  o.crop = 513;
  o.batch = 8;
  o.warmup = 3;
  o.steps = 10;
  o.infer_batch = 8;
  o.read_every = 1;
  result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  result = config_check_assignments(argv[0], kUsage, &o.sets);
  if (result == ARGS_CONTINUE && (o.crop > 4096 || o.batch > 4096 || o.unlabeled_batch > 4096 || o.infer_batch > 4096 ||
                                  o.classes > 255 || o.steps > 1000000 || o.warmup > 1000000 || o.read_every > 1000000000))
    result = cli_usage_error(argv[0], kUsage, "a size, count or class number is out of range");
  if (o.unlabeled_batch == 0) o.unlabeled_batch = o.batch;
  if (result == ARGS_CONTINUE) result = run_cases(&o, kUsage, argv[0]);
  args_free(specs, NULL);
  return result;
}

const cli_command cmd_bench = {"bench", "time training steps and inference (JSON lines)", kUsage, run};

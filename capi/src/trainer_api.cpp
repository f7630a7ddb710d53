#include <algorithm>

#include "api_guard.h"
#include "handles.h"

#include <cstddef>
#include <cstring>

namespace {
// The struct as release 0.1 defined it: callers built then pass this struct_size.
constexpr size_t kStatsSize01 = offsetof(s4seg_train_stats, pseudo_keep_ratio);

double metric_or(const s4seg::TrainStats& s, const char* name, double fallback) {
  for (const auto& kv : s.metrics)
    if (kv.first == name) return kv.second;
  return fallback;
}

// Writes only the fields that fit in the caller's struct_size (older callers pass a smaller one).
void to_c(const s4seg::TrainStats& s, s4seg_train_stats* out) {
  s4seg_train_stats full;
  std::memset(&full, 0, sizeof full);
  full.struct_size = out->struct_size;
  full.iteration = s.iteration;
  full.total_iterations = s.total_iterations;
  full.loss = s.loss;
  full.learning_rate = s.learning_rate;
  full.seconds = s.seconds;
  full.images_per_second = s.images_per_second;
  full.eta_seconds = s.eta_seconds;
  full.pseudo_keep_ratio = metric_or(s, "pseudo/keep_ratio", -1);
  full.pseudo_accuracy = metric_or(s, "pseudo/accuracy", -1);
  std::memcpy(out, &full, std::min(out->struct_size, sizeof full));
}

s4seg_status create_trainer(s4seg_model* model, s4seg_dataset* labeled, s4seg_dataset* unlabeled, const s4seg_config* config,
                            s4seg_trainer** out) {
  S4SEG_API_BEGIN
  s4seg::Config c = config ? config->config : s4seg::Config();
  auto t = std::make_unique<s4seg_trainer>();
  t->model = model->model;
  t->labeled = labeled->dataset;
  if (unlabeled) t->unlabeled = unlabeled->dataset;
  t->trainer = std::make_unique<s4seg::Trainer>(t->model, t->labeled, t->unlabeled, c);
  *out = t.release();
  S4SEG_API_END
}
}  // namespace

extern "C" {

void s4seg_train_stats_init(s4seg_train_stats* stats) noexcept {
  if (!stats) return;
  *stats = s4seg_train_stats();
  stats->struct_size = sizeof(s4seg_train_stats);
}

s4seg_status s4seg_trainer_create(s4seg_model* model, s4seg_dataset* labeled, const s4seg_config* config,
                                  s4seg_trainer** out) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(labeled, "labeled must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  return create_trainer(model, labeled, nullptr, config, out);
}

s4seg_status s4seg_trainer_create_semi(s4seg_model* model, s4seg_dataset* labeled, s4seg_dataset* unlabeled,
                                       const s4seg_config* config, s4seg_trainer** out) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(labeled, "labeled must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  return create_trainer(model, labeled, unlabeled, config, out);
}

void s4seg_trainer_free(s4seg_trainer* trainer) noexcept {
  S4SEG_API_VOID_BEGIN
  delete trainer;
  S4SEG_API_VOID_END
}

s4seg_status s4seg_trainer_set_progress(s4seg_trainer* trainer, s4seg_progress_fn fn, void* user_data) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_API_BEGIN
  trainer->progress = fn;
  trainer->progress_user_data = fn ? user_data : nullptr;
  S4SEG_API_END
}

s4seg_status s4seg_trainer_step(s4seg_trainer* trainer, int64_t iterations, s4seg_train_stats* stats) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_CHECK_ARG(!stats || stats->struct_size >= kStatsSize01,
                  "stats->struct_size is not set (call s4seg_train_stats_init first)");
  S4SEG_API_BEGIN
  s4seg::require(iterations >= 1, "iterations must be at least 1, got " + std::to_string(iterations));
  s4seg::TrainStats s;
  s4seg::ProgressFn progress;
  if (trainer->progress) {
    s4seg_progress_fn fn = trainer->progress;
    void* ud = trainer->progress_user_data;
    progress = [fn, ud, trainer](const s4seg::TrainStats& ts) {
      s4seg_train_stats cs;
      s4seg_train_stats_init(&cs);
      to_c(ts, &cs);
      trainer->metrics = ts.metrics;
      return fn(&cs, ud) != 0;
    };
  }
  try {
    trainer->trainer->step(iterations, s, progress);
  } catch (...) {
    trainer->metrics = s.metrics;
    if (stats) to_c(s, stats);  // what was completed before the stop still counts
    throw;
  }
  trainer->metrics = s.metrics;
  if (stats) to_c(s, stats);
  S4SEG_API_END
}

s4seg_status s4seg_trainer_cancel(s4seg_trainer* trainer) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  trainer->trainer->cancel();  // no s4seg_last_error update: that is not async-signal-safe
  return S4SEG_OK;
}

s4seg_status s4seg_trainer_iteration(const s4seg_trainer* trainer, int64_t* iteration) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_CHECK_ARG(iteration, "iteration must not be NULL");
  S4SEG_API_BEGIN
  *iteration = trainer->trainer->iteration();
  S4SEG_API_END
}

s4seg_status s4seg_trainer_metric_count(const s4seg_trainer* trainer, size_t* count) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_CHECK_ARG(count, "count must not be NULL");
  S4SEG_API_BEGIN
  *count = trainer->metrics.size();
  S4SEG_API_END
}

s4seg_status s4seg_trainer_metric(const s4seg_trainer* trainer, size_t index, char* name, size_t name_capacity,
                                  size_t* name_needed, double* value) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_API_BEGIN
  s4seg::require(index < trainer->metrics.size(), "metric index " + std::to_string(index) + " is out of range (" +
                                                       std::to_string(trainer->metrics.size()) + " metrics)");
  const auto& m = trainer->metrics[index];
  size_t needed = 0;
  s4seg_status st = s4seg::copy_text_out(m.first, name, name_capacity, &needed, "metric name");
  if (name_needed) *name_needed = needed;
  if (st != S4SEG_OK) return st;
  if (value) *value = m.second;
  S4SEG_API_END
}

s4seg_status s4seg_trainer_save_checkpoint(const s4seg_trainer* trainer, const char* path) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_API_BEGIN
  trainer->trainer->save_checkpoint(path);
  S4SEG_API_END
}

s4seg_status s4seg_trainer_resume(s4seg_trainer* trainer, const char* path) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_API_BEGIN
  trainer->trainer->resume(path);
  S4SEG_API_END
}

}  // extern "C"

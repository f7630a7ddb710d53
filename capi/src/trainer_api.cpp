#include "api_guard.h"
#include "handles.h"

namespace {
void to_c(const s4seg::TrainStats& s, s4seg_train_stats* out) {
  out->iteration = s.iteration;
  out->total_iterations = s.total_iterations;
  out->loss = s.loss;
  out->learning_rate = s.learning_rate;
  out->seconds = s.seconds;
  out->images_per_second = s.images_per_second;
  out->eta_seconds = s.eta_seconds;
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
  S4SEG_API_BEGIN
  s4seg::Config c = config ? config->config : s4seg::Config();
  auto t = std::make_unique<s4seg_trainer>();
  t->model = model->model;
  t->labeled = labeled->dataset;
  t->trainer = std::make_unique<s4seg::Trainer>(t->model, t->labeled, c);
  *out = t.release();
  S4SEG_API_END
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
  S4SEG_CHECK_ARG(!stats || stats->struct_size >= sizeof(s4seg_train_stats),
                  "stats->struct_size is not set (call s4seg_train_stats_init first)");
  S4SEG_API_BEGIN
  S4SEG_CHECK_ARG(iterations >= 1, "iterations must be at least 1, got " + std::to_string(iterations));
  s4seg::TrainStats s;
  s4seg::ProgressFn progress;
  if (trainer->progress) {
    s4seg_progress_fn fn = trainer->progress;
    void* ud = trainer->progress_user_data;
    progress = [fn, ud](const s4seg::TrainStats& ts) {
      s4seg_train_stats cs;
      s4seg_train_stats_init(&cs);
      to_c(ts, &cs);
      return fn(&cs, ud) != 0;
    };
  }
  try {
    trainer->trainer->step(iterations, s, progress);
  } catch (...) {
    if (stats) to_c(s, stats);  // what was completed before the stop still counts
    throw;
  }
  if (stats) to_c(s, stats);
  S4SEG_API_END
}

s4seg_status s4seg_trainer_cancel(s4seg_trainer* trainer) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  trainer->trainer->cancel();
  return S4SEG_OK;
}

s4seg_status s4seg_trainer_iteration(const s4seg_trainer* trainer, int64_t* iteration) noexcept {
  S4SEG_CHECK_ARG(trainer, "trainer must not be NULL");
  S4SEG_CHECK_ARG(iteration, "iteration must not be NULL");
  S4SEG_API_BEGIN
  *iteration = trainer->trainer->iteration();
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

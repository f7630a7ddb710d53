/* The smallest complete host program: configure, train on synthetic data with host-driven steps,
 * evaluate, save, reload and predict — checking every status. Copy it as a starting point.
 * usage: s4seg_quickstart [MODEL_PATH] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s4seg/s4seg.h>

/* Prints the failing call's status and message and returns non-zero. */
static int failed(s4seg_status status, const char* what) {
  if (status == S4SEG_OK) return 0;
  fprintf(stderr, "%s: %s: %s\n", what, s4seg_status_string(status), s4seg_last_error());
  return 1;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "quickstart.s4seg";
  s4seg_config* cfg = NULL;
  s4seg_model *model = NULL, *loaded = NULL;
  s4seg_dataset *train = NULL, *val = NULL;
  s4seg_trainer* trainer = NULL;
  s4seg_train_stats stats;
  s4seg_image* image = NULL;
  s4seg_image_view view;
  uint8_t* labels = NULL;
  double miou = 0.0;
  int rc = 1;

  if (failed(s4seg_config_create(&cfg), "config")) goto done;
  if (failed(s4seg_config_parse(cfg,
                                "device = cpu\n"
                                "model.num_classes = 3\n"
                                "model.backbone = resnet18\n"
                                "model.width = 8\n"
                                "model.aspp_channels = 32\n"
                                "model.low_level_channels = 16\n"
                                "train.iters = 60\n"
                                "train.batch_size = 4\n"
                                "train.crop_size = 48\n"
                                "train.lr = 0.05\n"),
             "config"))
    goto done;
  if (failed(s4seg_dataset_create(&train), "dataset") || failed(s4seg_dataset_create(&val), "dataset")) goto done;
  if (failed(s4seg_dataset_add_synthetic(train, 32, 48, 48, 3, 1), "synthetic") ||
      failed(s4seg_dataset_add_synthetic(val, 8, 48, 48, 3, 2), "synthetic"))
    goto done;
  if (failed(s4seg_model_create(cfg, &model), "model")) goto done;
  if (failed(s4seg_trainer_create(model, train, cfg, &trainer), "trainer")) goto done;

  /* The host drives training; no callbacks needed. */
  s4seg_train_stats_init(&stats);
  for (;;) {
    s4seg_status st = s4seg_trainer_step(trainer, 20, &stats);
    if (st == S4SEG_STATE) break; /* train.iters reached */
    if (failed(st, "step")) goto done;
    printf("iteration %lld/%lld  loss %.4f  %.1f images/s\n", (long long)stats.iteration,
           (long long)stats.total_iterations, stats.loss, stats.images_per_second);
  }
  if (failed(s4seg_model_evaluate(model, val, &miou, NULL, NULL, 0), "evaluate")) goto done;
  printf("validation mIoU %.4f\n", miou);
  if (failed(s4seg_model_save(model, path), "save")) goto done;

  /* Reload and predict one validation image into a caller buffer. */
  if (failed(s4seg_model_load(path, "cpu", &loaded), "load")) goto done;
  if (failed(s4seg_dataset_get(val, 0, &image, NULL), "get") || failed(s4seg_image_get_view(image, &view), "view")) goto done;
  labels = malloc((size_t)view.width * (size_t)view.height);
  if (labels == NULL) goto done;
  if (failed(s4seg_model_predict(loaded, &view, labels, (size_t)view.width * (size_t)view.height, NULL, 0), "predict"))
    goto done;
  printf("predicted a %dx%d label map with the reloaded model (%s)\n", view.width, view.height, path);
  rc = 0;
done:
  free(labels);
  s4seg_image_free(image);
  s4seg_trainer_free(trainer);
  s4seg_model_free(loaded);
  s4seg_model_free(model);
  s4seg_dataset_free(val);
  s4seg_dataset_free(train);
  s4seg_config_free(cfg);
  return rc;
}

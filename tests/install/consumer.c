/* An installed-library consumer: builds a tiny CPU model through the C API, predicts one small
 * image and prints the number of labelled pixels. Exits 0 only when every call succeeded and
 * every label is a valid class. */
#include <s4seg/s4seg.h>

#include <stdio.h>
#include <string.h>

enum { WIDTH = 24, HEIGHT = 16, CHANNELS = 3, NUM_CLASSES = 3 };

static int check(s4seg_status status, const char* what) {
  if (status == S4SEG_OK) return 1;
  fprintf(stderr, "consumer: %s failed: %s: %s\n", what, s4seg_status_string(status), s4seg_last_error());
  return 0;
}

int main(void) {
  static const char kConfig[] =
      "device = cpu\n"
      "model.backbone = resnet18\n"
      "model.width = 8\n"
      "model.output_stride = 16\n"
      "model.aspp_channels = 16\n"
      "model.low_level_channels = 8\n"
      "model.num_classes = 3\n";
  uint8_t pixels[WIDTH * HEIGHT * CHANNELS];
  uint8_t labels[WIDTH * HEIGHT];
  s4seg_image_view view;
  s4seg_config* config = NULL;
  s4seg_model* model = NULL;
  int ok = 1;
  size_t i, count = 0;

  for (i = 0; i < sizeof pixels; ++i) pixels[i] = (uint8_t)(i * 37u);
  memset(labels, 0xFF, sizeof labels);
  view.data = pixels;
  view.width = WIDTH;
  view.height = HEIGHT;
  view.channels = CHANNELS;
  view.row_stride = WIDTH * CHANNELS;

  printf("s4seg %s (header %d.%d.%d)\n", s4seg_version(), S4SEG_VERSION_MAJOR, S4SEG_VERSION_MINOR,
         S4SEG_VERSION_PATCH);
  ok = ok && check(s4seg_config_create(&config), "s4seg_config_create");
  ok = ok && check(s4seg_config_parse(config, kConfig), "s4seg_config_parse");
  ok = ok && check(s4seg_model_create(config, &model), "s4seg_model_create");
  ok = ok && check(s4seg_model_predict(model, &view, labels, sizeof labels, NULL, 0), "s4seg_model_predict");
  if (ok) {
    for (i = 0; i < sizeof labels; ++i) {
      if (labels[i] >= NUM_CLASSES) {
        fprintf(stderr, "consumer: label %u at pixel %zu is not a class\n", (unsigned)labels[i], i);
        ok = 0;
        break;
      }
      ++count;
    }
  }
  s4seg_model_free(model);
  s4seg_config_free(config);
  if (!ok) return 1;
  printf("labels: %zu\n", count);
  return 0;
}

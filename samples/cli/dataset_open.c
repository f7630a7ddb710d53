#include "dataset_open.h"

#include <string.h>

int dataset_layout_from_name(const char* name, s4seg_layout* layout) {
  if (strcmp(name, "list") == 0) *layout = S4SEG_LAYOUT_LIST;
  else if (strcmp(name, "voc") == 0) *layout = S4SEG_LAYOUT_VOC;
  else if (strcmp(name, "cityscapes") == 0) *layout = S4SEG_LAYOUT_CITYSCAPES;
  else return -1;
  return 0;
}

int64_t dataset_layout_classes(s4seg_layout layout) {
  switch (layout) {
    case S4SEG_LAYOUT_VOC: return 21;
    case S4SEG_LAYOUT_CITYSCAPES: return 19;
    default: return 0;
  }
}

s4seg_status dataset_open(const char* root, const char* split, s4seg_layout layout, uint32_t flags, int64_t cache_mb,
                          s4seg_dataset** out) {
  s4seg_status status;
  if (split == NULL) return S4SEG_OK;
  status = s4seg_dataset_create(out);
  if (status == S4SEG_OK) status = s4seg_dataset_add_layout(*out, layout, root, split, flags);
  if (status == S4SEG_OK && cache_mb > 0) status = s4seg_dataset_set_cache(*out, (uint64_t)cache_mb << 20);
  return status;
}

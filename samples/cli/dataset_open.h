/* Opening the datasets a command reads: a list file or a benchmark folder (--layout), with an
 * optional decode cache (--cache-mb). */
#ifndef S4SEG_CLI_DATASET_OPEN_H
#define S4SEG_CLI_DATASET_OPEN_H

#include <stdint.h>

#include <s4seg/s4seg.h>

/* "list", "voc" or "cityscapes" → *layout; 0 on success, -1 for an unknown name. */
int dataset_layout_from_name(const char* name, s4seg_layout* layout);

/* Model classes a benchmark layout implies (21 for voc, 19 for cityscapes, 0 for list). */
int64_t dataset_layout_classes(s4seg_layout layout);

/* Creates a dataset from `split` under `root` in `layout` (flags as s4seg_dataset_add_layout) and
 * gives it a cache of `cache_mb` MiB (0 = none). *out is set at once so that the caller frees it
 * on every path; stays NULL when `split` is NULL. */
s4seg_status dataset_open(const char* root, const char* split, s4seg_layout layout, uint32_t flags, int64_t cache_mb,
                          s4seg_dataset** out);

#endif /* S4SEG_CLI_DATASET_OPEN_H */

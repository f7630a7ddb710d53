/* Compiled, never run: checks that the public header is valid C99 (-pedantic, strict
 * prototypes) and valid C++17, and that its macros work in constant expressions. */
#include <s4seg/s4seg.h>
#include <s4seg/s4seg.h> /* include guard */

/* Negative array size (a compile error) when a condition is false; works in C99 and C++. */
#define S4SEG_HEADER_ASSERT(name, cond) typedef char name[(cond) ? 1 : -1]

S4SEG_HEADER_ASSERT(version_number_matches_parts,
                    S4SEG_VERSION_NUMBER ==
                        S4SEG_VERSION_MAJOR * 10000 + S4SEG_VERSION_MINOR * 100 + S4SEG_VERSION_PATCH);
S4SEG_HEADER_ASSERT(version_check_accepts_itself,
                    S4SEG_VERSION_CHECK(S4SEG_VERSION_MAJOR, S4SEG_VERSION_MINOR, S4SEG_VERSION_PATCH));
S4SEG_HEADER_ASSERT(version_check_rejects_next_major, !S4SEG_VERSION_CHECK(S4SEG_VERSION_MAJOR + 1, 0, 0));
S4SEG_HEADER_ASSERT(status_values_are_fixed, S4SEG_OK == 0 && S4SEG_INVALID_ARGUMENT == 1 && S4SEG_IO == 3 &&
                                                 S4SEG_FORMAT == 4 && S4SEG_BUFFER_TOO_SMALL == 11);
S4SEG_HEADER_ASSERT(image_view_has_all_fields, sizeof(s4seg_image_view) >= sizeof(const uint8_t*) + 3 * sizeof(int32_t) +
                                                                            sizeof(int64_t));
S4SEG_HEADER_ASSERT(stats_start_with_struct_size, sizeof(((s4seg_train_stats*)0)->struct_size) == sizeof(size_t));

/* A C caller that uses handles, views and callbacks only through the declarations. */
int s4seg_header_check_progress(const s4seg_train_stats* stats, void* user_data);
int s4seg_header_check_progress(const s4seg_train_stats* stats, void* user_data) {
  (void)user_data;
  return stats->iteration >= stats->total_iterations;
}

int s4seg_header_check_usage(void);
int s4seg_header_check_usage(void) {
  s4seg_config* config = 0;
  s4seg_image_view view;
  s4seg_progress_fn fn = s4seg_header_check_progress;
  s4seg_status status;
  view.data = 0;
  view.width = 8;
  view.height = 8;
  view.channels = 3;
  view.row_stride = 24;
  (void)view;
  (void)fn;
  status = s4seg_config_create(&config);
  if (status != S4SEG_OK) return (int)status;
  s4seg_config_free(config);
  return s4seg_status_string(S4SEG_OK)[0] == 'O' ? 0 : 1;
}

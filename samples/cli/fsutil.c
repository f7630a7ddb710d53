/* File-system helpers (see fsutil.h). */
#define _POSIX_C_SOURCE 200809L

#include "fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

char* fs_read_text(const char* path) {
  FILE* file = fopen(path, "rb");
  size_t size = 0, capacity = 4096;
  char* text;
  if (file == NULL) return NULL;
  text = malloc(capacity);
  while (text != NULL) {
    size_t got = fread(text + size, 1, capacity - 1 - size, file);
    size += got;
    if (size < capacity - 1) break;
    {
      char* bigger = capacity <= ((size_t)-1) / 2 ? realloc(text, capacity * 2) : NULL;
      if (bigger == NULL) {
        free(text);
        text = NULL;
        errno = ENOMEM;
        break;
      }
      text = bigger;
      capacity *= 2;
    }
  }
  if (text != NULL && ferror(file)) {
    free(text);
    text = NULL;
    errno = EIO;
  }
  fclose(file);
  if (text != NULL) text[size] = '\0';
  return text;
}

static int make_dir(const char* path) {
  struct stat info;
  if (mkdir(path, 0777) == 0) return 0;
  if (errno != EEXIST) return -1;
  if (stat(path, &info) != 0) return -1;
  if (!S_ISDIR(info.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

int fs_make_dirs(const char* path) {
  size_t length = strlen(path);
  char* copy = malloc(length + 1);
  char* cursor;
  int result = 0;
  if (copy == NULL) {
    errno = ENOMEM;
    return -1;
  }
  memcpy(copy, path, length + 1);
  for (cursor = copy + 1; result == 0 && *cursor != '\0'; ++cursor) {
    if (*cursor != '/' || cursor[-1] == '/') continue;
    *cursor = '\0';
    result = make_dir(copy);
    *cursor = '/';
  }
  if (result == 0 && length > 0) result = make_dir(copy);
  free(copy);
  return result;
}

/* The stem of `path`: *name points at the file name, *length is its length without the last
 * extension. */
static void stem_range(const char* path, const char** name, size_t* length) {
  const char* slash = strrchr(path, '/');
  const char* dot;
  *name = slash != NULL ? slash + 1 : path;
  dot = strrchr(*name, '.');
  *length = (dot != NULL && dot != *name) ? (size_t)(dot - *name) : strlen(*name);
}

char* fs_output_path(const char* dir, const char* input_path, const char* suffix) {
  const char* name;
  size_t stem_length, dir_length = strlen(dir), total;
  char* path;
  stem_range(input_path, &name, &stem_length);
  total = dir_length + 1 + stem_length + strlen(suffix) + 1;
  path = malloc(total);
  if (path == NULL) return NULL;
  snprintf(path, total, "%s%s%.*s%s", dir, (dir_length == 0 || dir[dir_length - 1] == '/') ? "" : "/",
           (int)stem_length, name, suffix);
  return path;
}

char* fs_stem(const char* path) {
  const char* name;
  size_t length;
  char* stem;
  stem_range(path, &name, &length);
  stem = malloc(length + 1);
  if (stem == NULL) return NULL;
  memcpy(stem, name, length);
  stem[length] = '\0';
  return stem;
}

char* fs_join(const char* root, const char* rel) {
  size_t root_length = strlen(root), rel_length = strlen(rel);
  int absolute = rel[0] == '/' || root_length == 0;
  int slash = !absolute && root[root_length - 1] != '/';
  size_t total = (absolute ? 0 : root_length) + (size_t)slash + rel_length + 1;
  char* path = malloc(total);
  if (path == NULL) return NULL;
  snprintf(path, total, "%s%s%s", absolute ? "" : root, slash ? "/" : "", rel);
  return path;
}

char* fs_insert_before_extension(const char* path, const char* infix) {
  const char* name;
  size_t stem_length, head, infix_length = strlen(infix), path_length = strlen(path);
  char* result;
  stem_range(path, &name, &stem_length);
  head = (size_t)(name - path) + stem_length; /* everything before the extension's dot */
  result = malloc(path_length + infix_length + 1);
  if (result == NULL) return NULL;
  memcpy(result, path, head);
  memcpy(result + head, infix, infix_length);
  memcpy(result + head + infix_length, path + head, path_length - head + 1);
  return result;
}

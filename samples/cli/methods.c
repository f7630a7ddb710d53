#include "methods.h"

#include <string.h>

#include <s4seg/s4seg.h>

/* Method `index`'s name into `buf`; 0 when it does not fit or the call fails. */
static int method_name(size_t index, char* buf, size_t size) {
  size_t needed = 0;
  return s4seg_method_name(index, buf, size, &needed) == S4SEG_OK;
}

int cli_method_flags(const char* name, uint32_t* flags) {
  const size_t count = s4seg_method_count();
  char buf[64];
  size_t i;
  for (i = 0; i < count; ++i)
    if (method_name(i, buf, sizeof buf) && strcmp(buf, name) == 0) return s4seg_method_flags(i, flags) == S4SEG_OK;
  return 0;
}

const char* cli_method_names(uint32_t required, uint32_t excluded, const char* separator, char* buf, size_t size) {
  const size_t count = s4seg_method_count();
  char name[64];
  size_t i, used = 0;
  if (size == 0) return buf;
  buf[0] = '\0';
  for (i = 0; i < count; ++i) {
    uint32_t flags = 0;
    if (!method_name(i, name, sizeof name) || s4seg_method_flags(i, &flags) != S4SEG_OK) continue;
    if ((flags & required) != required || (flags & excluded) != 0) continue;
    if (used > 0 && used + strlen(separator) < size) {
      strcpy(buf + used, separator);
      used += strlen(separator);
    }
    if (used + strlen(name) < size) {
      strcpy(buf + used, name);
      used += strlen(name);
    }
  }
  return buf;
}

/* The library's training methods as the commands need them: names and flags from the registry
 * (s4seg_method_*), so that no command keeps its own list. */
#ifndef S4SEG_CLI_METHODS_H
#define S4SEG_CLI_METHODS_H

#include <stddef.h>
#include <stdint.h>

/* Flags of the method `name` (S4SEG_METHOD_*) in *flags; 0 when no method has that name. */
int cli_method_flags(const char* name, uint32_t* flags);

/* The names of the methods whose flags include all of `required` and none of `excluded`, joined
 * by `separator`, into `buf` (always NUL-terminated, cut to `size`); returns `buf`. */
const char* cli_method_names(uint32_t required, uint32_t excluded, const char* separator, char* buf, size_t size);

#endif /* S4SEG_CLI_METHODS_H */

/* File-system helpers: reading a text file, creating folders, naming output files. */
#ifndef S4SEG_CLI_FSUTIL_H
#define S4SEG_CLI_FSUTIL_H

/* Reads a whole file into a NUL-terminated, malloc'd buffer; NULL with errno set on failure. */
char* fs_read_text(const char* path);

/* Creates `path` and its missing parents (like mkdir -p); 0, or -1 with errno set. */
int fs_make_dirs(const char* path);

/* Returns malloc'd "<dir>/<stem of input_path><suffix>", the stem being the file name without
 * its last extension; NULL when out of memory. */
char* fs_output_path(const char* dir, const char* input_path, const char* suffix);

#endif /* S4SEG_CLI_FSUTIL_H */

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

/* Returns the malloc'd stem of `path`: its file name without folder and last extension (a name
 * starting with its only dot keeps it, ".hidden"); NULL when out of memory. */
char* fs_stem(const char* path);

/* Returns malloc'd `rel` joined to `root` as list files do: `rel` as it is when it is absolute or
 * `root` is empty, else "<root>/<rel>"; NULL when out of memory. */
char* fs_join(const char* root, const char* rel);

/* Returns malloc'd `path` with `infix` inserted before the extension of its file name
 * ("model.s4seg", ".best" -> "model.best.s4seg"; appended when there is none); NULL when out of
 * memory. */
char* fs_insert_before_extension(const char* path, const char* infix);

#endif /* S4SEG_CLI_FSUTIL_H */

// Folder layouts of the public benchmarks, read as they are published: each reader turns a split
// (a split file, or a split name) into file-backed samples for Dataset::add_files, which checks them.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace s4seg {

// Same values as s4seg_layout in the public header.
enum class Layout { List = 0, Voc = 1, Cityscapes = 2 };

// Throws Error(InvalidArgument) for a value that is not a Layout.
Layout layout_from_value(int value);

// The samples `split` names under `root`. `ignore_masks` drops every mask without looking for it.
// Throws Error(Io) for a missing root folder or split, Error(Format) for a malformed split line (the
// message names file:line). Whether the files exist and match is Dataset::add_files' business.
std::vector<FileSample> layout_samples(Layout layout, const std::string& root, const std::string& split,
                                       bool ignore_masks);

// One reader per layout: list files (layouts.cpp), VOC (voc_layout.cpp), Cityscapes (cityscapes_layout.cpp).
std::vector<FileSample> list_samples(const std::string& root, const std::string& list_path, bool ignore_masks);
std::vector<FileSample> voc_samples(const std::string& root, const std::string& split, bool ignore_masks);
std::vector<FileSample> cityscapes_samples(const std::string& root, const std::string& split, bool ignore_masks);

// The mask conventions the readers attach (shared by every sample): VOC keeps 0..20 and 255 and
// rejects anything else; Cityscapes maps label ids to the 19 train ids, every other id to 255.
std::shared_ptr<const MaskMapping> voc_mask_mapping();
std::shared_ptr<const MaskMapping> cityscapes_label_id_mapping();

// What the readers share (layouts.cpp).
struct SplitLine {
  int line = 0;       // 1-based
  std::string image;  // as written, relative to the root
  std::string mask;   // as written; empty when the line names none
};
// The `IMAGE [MASK]` lines of a split file ('#' comments and blank lines skipped). Throws Error(Io)
// when unreadable, Error(Format) for a line of three or more fields.
std::vector<SplitLine> read_split_lines(const std::string& path);
// A bare word such as "train" or "val" names a split; anything with a '/' or a '.' is a file path.
bool is_split_name(const std::string& split);
// Throws Error(Io) unless `path` is a folder; `what` says which ("VOC root").
void require_folder(const std::string& path, const std::string& what);
bool is_folder(const std::string& path);
bool is_file(const std::string& path);
// "path:line: ", the prefix of errors about one split line.
std::string line_origin(const std::string& path, int line);

}  // namespace s4seg

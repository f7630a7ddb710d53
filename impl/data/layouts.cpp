#include "data/layouts.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "io/file_util.h"
#include "io/list_file.h"

namespace s4seg {

Layout layout_from_value(int value) {
  switch (value) {
    case static_cast<int>(Layout::List):
    case static_cast<int>(Layout::Voc):
    case static_cast<int>(Layout::Cityscapes):
      return static_cast<Layout>(value);
    default:
      fail(Status::InvalidArgument, "unknown dataset layout " + std::to_string(value) +
                                        " (expected S4SEG_LAYOUT_LIST, S4SEG_LAYOUT_VOC or S4SEG_LAYOUT_CITYSCAPES)");
  }
}

std::vector<FileSample> layout_samples(Layout layout, const std::string& root, const std::string& split,
                                       bool ignore_masks) {
  switch (layout) {
    case Layout::List:
      return list_samples(root, split, ignore_masks);
    case Layout::Voc:
      return voc_samples(root, split, ignore_masks);
    case Layout::Cityscapes:
      return cityscapes_samples(root, split, ignore_masks);
  }
  fail(Status::InvalidArgument, "unknown dataset layout");
}

std::vector<FileSample> list_samples(const std::string& root, const std::string& list_path, bool ignore_masks) {
  std::vector<FileSample> out;
  for (ListEntry& e : read_list_file(root, list_path)) {
    FileSample f;
    f.image_path = std::move(e.image_path);
    if (!ignore_masks) f.mask_path = std::move(e.mask_path);
    f.origin = line_origin(list_path, e.line);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<SplitLine> read_split_lines(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  std::vector<SplitLine> out;
  for (const TextLine& tl : content_lines(std::string(bytes.begin(), bytes.end()))) {
    std::istringstream fields(tl.text);
    SplitLine sl;
    std::string extra;
    sl.line = tl.number;
    fields >> sl.image >> sl.mask;  // content_lines() never yields a blank line
    if (fields >> extra)
      fail(Status::Format, line_origin(path, tl.number) +
                               "expected `IMAGE [MASK]` or an image id, found a third field '" + extra + "'");
    out.push_back(std::move(sl));
  }
  return out;
}

bool is_split_name(const std::string& split) {
  return !split.empty() && split.find('/') == std::string::npos && split.find('.') == std::string::npos;
}

bool is_folder(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void require_folder(const std::string& path, const std::string& what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) fail(Status::Io, what + " '" + path + "': " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) fail(Status::Io, what + " '" + path + "' is not a folder");
}

std::string line_origin(const std::string& path, int line) { return path + ":" + std::to_string(line) + ": "; }

}  // namespace s4seg

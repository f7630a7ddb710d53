// Dataset list files: one `IMAGE [MASK]` per line, relative to a root (UniMatch-family layout).
#pragma once
#include <string>
#include <vector>

namespace s4seg {

struct ListEntry {
  int line = 0;            // 1-based line number in the list file
  std::string image_path;  // joined with the root
  std::string mask_path;   // empty when the line names no mask
};

std::vector<ListEntry> read_list_file(const std::string& root, const std::string& list_path);

}  // namespace s4seg

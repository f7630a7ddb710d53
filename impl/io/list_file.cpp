#include "io/list_file.h"

#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "io/file_util.h"

namespace s4seg {

std::vector<ListEntry> read_list_file(const std::string& root, const std::string& list_path) {
  std::vector<uint8_t> bytes = read_file(list_path);
  std::vector<ListEntry> out;
  for (const TextLine& tl : content_lines(std::string(bytes.begin(), bytes.end()))) {
    const std::string& line = tl.text;
    const int number = tl.number;
    std::istringstream fields(line);
    std::string image, mask, extra;
    fields >> image >> mask;  // content_lines() never yields a blank line, so IMAGE is always there
    if (fields >> extra)
      fail(Status::Format, list_path + ":" + std::to_string(number) + ": expected `IMAGE [MASK]`, found a third field '" +
                               extra + "'");
    ListEntry e;
    e.line = number;
    e.image_path = join_path(root, image);
    if (!mask.empty()) e.mask_path = join_path(root, mask);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace s4seg

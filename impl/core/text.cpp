#include "core/text.h"

#include <sstream>

namespace s4seg {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<TextLine> content_lines(const std::string& text) {
  std::vector<TextLine> out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (!line.empty()) out.push_back({number, line});
  }
  return out;
}

}  // namespace s4seg

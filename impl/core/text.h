// Line-oriented text shared by the config parser and the list-file reader.
#pragma once
#include <string>
#include <vector>

namespace s4seg {

std::string trim(const std::string& s);
// The pieces between `sep`s, untrimmed; "" gives one empty piece.
std::vector<std::string> split(const std::string& s, char sep);
bool starts_with(const std::string& s, const std::string& prefix);
bool ends_with(const std::string& s, const std::string& suffix);
// Up to the first newline: the message of an exception whose later lines are a backtrace.
std::string first_line(const std::string& s);

struct TextLine {
  int number;        // 1-based
  std::string text;  // '#' comment removed, surrounding whitespace trimmed, never empty
};

// The non-blank lines of `text` after removing '#' comments.
std::vector<TextLine> content_lines(const std::string& text);

}  // namespace s4seg

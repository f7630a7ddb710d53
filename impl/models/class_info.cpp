#include "models/class_info.h"

#include "core/error.h"
#include "core/text.h"
#include "models/benchmark_classes.h"

namespace s4seg {

namespace {
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out = split(s, ',');
  for (std::string& item : out) item = trim(item);
  return out;
}

void require_count(const std::string& key, size_t got, int64_t want, const std::string& what) {
  require(static_cast<int64_t>(got) == want, key + " has " + std::to_string(got) + " " + what + " but model.num_classes is " +
                                                 std::to_string(want));
}

// The PASCAL VOC colour map: class bits spread over the high bits of R, G and B.
std::array<uint8_t, 3> voc_colour(int64_t index) {
  std::array<uint8_t, 3> c{0, 0, 0};
  for (int shift = 7; index > 0 && shift >= 0; --shift, index >>= 3)
    for (int ch = 0; ch < 3; ++ch) c[static_cast<size_t>(ch)] |= static_cast<uint8_t>(((index >> ch) & 1) << shift);
  return c;
}

int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}
}  // namespace

std::vector<std::string> class_names(const Config& config) {
  const int64_t n = config.get_int("model.num_classes");
  const std::string v = config.get_string("model.class_names");
  if (v.empty()) {
    std::vector<std::string> out;
    for (int64_t i = 0; i < n; ++i) out.push_back("class" + std::to_string(i));
    return out;
  }
  if (const ClassTable* table = find_class_table(v)) {
    require_count("model.class_names = " + v, table->names.size(), n, "classes");
    return table->names;
  }
  std::vector<std::string> out = split_commas(v);
  require_count("model.class_names", out.size(), n, "names");
  for (size_t i = 0; i < out.size(); ++i) require(!out[i].empty(), "model.class_names: name " + std::to_string(i) + " is empty");
  return out;
}

std::vector<std::array<uint8_t, 3>> class_palette(const Config& config) {
  const int64_t n = config.get_int("model.num_classes");
  std::string v = config.get_string("model.palette");
  if (v == "auto") v = find_class_table(config.get_string("model.class_names")) ? config.get_string("model.class_names") : "";
  if (v.empty()) {
    std::vector<std::array<uint8_t, 3>> out;
    for (int64_t i = 0; i < n; ++i) out.push_back(voc_colour(i));
    return out;
  }
  if (const ClassTable* table = find_class_table(v)) {
    require_count("model.palette = " + v, table->palette.size(), n, "colours");
    return table->palette;
  }
  std::vector<std::string> items = split_commas(v);
  require_count("model.palette", items.size(), n, "colours");
  std::vector<std::array<uint8_t, 3>> out;
  for (const std::string& item : items) {
    // '#' is optional: in config files it would start a comment.
    const std::string hex = !item.empty() && item[0] == '#' ? item.substr(1) : item;
    bool ok = hex.size() == 6;
    std::array<uint8_t, 3> c{};
    for (size_t k = 0; ok && k < 3; ++k) {
      const int hi = hex_digit(hex[2 * k]), lo = hex_digit(hex[2 * k + 1]);
      ok = hi >= 0 && lo >= 0;
      c[k] = static_cast<uint8_t>(hi * 16 + lo);
    }
    require(ok, "model.palette: '" + item + "' is not a colour of the form rrggbb (hexadecimal)");
    out.push_back(c);
  }
  return out;
}

void validate_class_info(const Config& config) {
  class_names(config);
  class_palette(config);
}

}  // namespace s4seg

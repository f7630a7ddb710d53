#include "core/config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace s4seg {

namespace {

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

std::string range_text(const KeySpec& k) {
  if (k.type == ValueType::Bool) return "true|false, or on|off, yes|no, 1|0";
  if (k.type == ValueType::String || (k.choices && *k.choices)) return k.choices;
  std::string r = number_text(k.min) + ".." + number_text(k.max);
  if (k.multiple_of > 0) r += ", multiple of " + std::to_string(k.multiple_of);
  return r;
}

bool parse_int(const std::string& text, int64_t* out) {
  std::string t = trim(text);
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_double(const std::string& text, double* out) {
  std::string t = trim(text);
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool parse_bool(const std::string& text, bool* out) {
  std::string t = trim(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") {
    *out = true;
    return true;
  }
  if (t == "false" || t == "0" || t == "no" || t == "off") {
    *out = false;
    return true;
  }
  return false;
}

[[noreturn]] void bad_value(const KeySpec& k, const std::string& shown) {
  fail(Status::InvalidArgument, std::string(k.name) + ": " + shown + " is not allowed (" + type_name(k.type) +
                                    ", allowed: " + range_text(k) + ")");
}

// A choice like "cuda:N" accepts "cuda:" followed by digits; "R1,R2,R3" accepts three positive ints.
bool matches_choice(const std::string& choice, const std::string& v) {
  if (choice == v) return true;
  // "<file path>", "<name,name,...>": free text, checked where it is used.
  if (choice.size() > 2 && choice.front() == '<' && choice.back() == '>') return true;
  size_t n = choice.find(":N");
  if (n != std::string::npos && n + 2 == choice.size()) {
    std::string prefix = choice.substr(0, n + 1);
    if (v.size() <= prefix.size() || v.compare(0, prefix.size(), prefix) != 0) return false;
    for (size_t i = prefix.size(); i < v.size(); ++i)
      if (v[i] < '0' || v[i] > '9') return false;
    return v.size() - prefix.size() <= 4;
  }
  if (choice == "R1,R2,R3") {
    auto parts = split(v, ',');
    if (parts.size() != 3) return false;
    for (auto& p : parts) {
      int64_t x;
      if (!parse_int(p, &x) || x < 1 || x > 1000) return false;
    }
    return true;
  }
  return false;
}

void check_int(const KeySpec& k, int64_t v) {
  if (static_cast<double>(v) < k.min || static_cast<double>(v) > k.max) bad_value(k, std::to_string(v));
  if (k.multiple_of > 0 && v % k.multiple_of != 0) bad_value(k, std::to_string(v));
  if (k.choices && *k.choices && std::string(k.choices).find('|') != std::string::npos) {
    bool ok = false;
    for (auto& c : split(k.choices, '|')) {
      int64_t x;
      if (parse_int(c, &x) && x == v) ok = true;
    }
    if (!ok) bad_value(k, std::to_string(v));
  }
}

void check_double(const KeySpec& k, double v) {
  if (!std::isfinite(v) || v < k.min || v > k.max) bad_value(k, number_text(v));
}

void check_string(const KeySpec& k, const std::string& v) {
  if (!k.choices || !*k.choices) return;
  for (auto& c : split(k.choices, '|'))
    if (matches_choice(c, v)) return;
  bad_value(k, "'" + v + "'");
}

}  // namespace

const char* allowed_text(const KeySpec& key) {
  // Built once (thread-safe static init) so the C API can hand out stable pointers.
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> t;
    for (size_t i = 0; i < registry_size(); ++i) t.push_back(range_text(registry_begin()[i]));
    return t;
  }();
  return texts.at(static_cast<size_t>(&key - registry_begin())).c_str();
}

std::vector<int64_t> parse_int_list(const std::string& key, const std::string& text) {
  std::vector<int64_t> out;
  for (auto& p : split(text, ',')) {
    int64_t x;
    require(parse_int(p, &x) && x > 0, key + ": '" + text + "' is not a list of positive integers");
    out.push_back(x);
  }
  return out;
}

Config::Config() {
  for (size_t i = 0; i < registry_size(); ++i) {
    const KeySpec& k = registry_begin()[i];
    set_text(k.name, k.default_value);
  }
}

const KeySpec& Config::spec_of(const std::string& key) const {
  const KeySpec* k = find_key(key);
  if (!k) fail(Status::InvalidArgument, "unknown config key '" + key + "' (list them with `s4seg info --keys`)");
  return *k;
}

void Config::set_int(const std::string& key, int64_t v) {
  const KeySpec& k = spec_of(key);
  if (k.type == ValueType::Double) return set_double(key, static_cast<double>(v));
  if (k.type != ValueType::Int)
    fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not an int");
  check_int(k, v);
  values_[key].i = v;
}

void Config::set_double(const std::string& key, double v) {
  const KeySpec& k = spec_of(key);
  if (k.type == ValueType::Int) {
    if (!std::isfinite(v) || std::floor(v) != v || std::fabs(v) > 9e15)
      fail(Status::InvalidArgument, key + " is an int key; " + number_text(v) + " is not a whole number");
    return set_int(key, static_cast<int64_t>(v));
  }
  if (k.type != ValueType::Double)
    fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not a double");
  check_double(k, v);
  values_[key].d = v;
}

void Config::set_bool(const std::string& key, bool v) {
  const KeySpec& k = spec_of(key);
  if (k.type != ValueType::Bool) fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not a bool");
  values_[key].i = v ? 1 : 0;
}

void Config::set_string(const std::string& key, const std::string& v) {
  const KeySpec& k = spec_of(key);
  // On/off keys that were strings before 0.3 (model.pretrained_partial, rrn.filter_cps) are
  // booleans now; their old string values still set them.
  if (k.type == ValueType::Bool) return set_text(key, v);
  if (k.type != ValueType::String)
    fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not a string (use the typed setter or set_text)");
  check_string(k, v);
  values_[key].s = v;
}

void Config::set_text(const std::string& key, const std::string& text) {
  const KeySpec& k = spec_of(key);
  switch (k.type) {
    case ValueType::Int: {
      int64_t v;
      if (!parse_int(text, &v)) bad_value(k, "'" + text + "'");
      return set_int(key, v);
    }
    case ValueType::Double: {
      double v;
      if (!parse_double(text, &v)) bad_value(k, "'" + text + "'");
      return set_double(key, v);
    }
    case ValueType::Bool: {
      bool v;
      if (!parse_bool(text, &v)) bad_value(k, "'" + text + "'");
      return set_bool(key, v);
    }
    case ValueType::String:
      return set_string(key, trim(text));
  }
}

int64_t Config::get_int(const std::string& key) const {
  const KeySpec& k = spec_of(key);
  if (k.type != ValueType::Int) fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not an int");
  return values_.at(key).i;
}

double Config::get_double(const std::string& key) const {
  const KeySpec& k = spec_of(key);
  if (k.type == ValueType::Int) return static_cast<double>(values_.at(key).i);
  if (k.type != ValueType::Double) fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not a double");
  return values_.at(key).d;
}

bool Config::get_bool(const std::string& key) const {
  const KeySpec& k = spec_of(key);
  if (k.type != ValueType::Bool) fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not a bool");
  return values_.at(key).i != 0;
}

std::string Config::get_string(const std::string& key) const {
  const KeySpec& k = spec_of(key);
  if (k.type != ValueType::String) fail(Status::InvalidArgument, key + " is a " + type_name(k.type) + " key, not a string");
  return values_.at(key).s;
}

std::string Config::get_text(const std::string& key) const {
  const KeySpec& k = spec_of(key);
  const Value& v = values_.at(key);
  switch (k.type) {
    case ValueType::Int: return std::to_string(v.i);
    case ValueType::Double: return number_text(v.d);
    case ValueType::Bool: return v.i ? "true" : "false";
    case ValueType::String: return v.s;
  }
  return "";
}

void Config::parse(const std::string& text) {
  Config next = *this;
  for (const TextLine& tl : content_lines(text)) {
    const std::string& line = tl.text;
    const int number = tl.number;
    size_t eq = line.find('=');
    if (eq == std::string::npos)
      fail(Status::InvalidArgument, "config line " + std::to_string(number) + ": expected `key = value`, got '" + line + "'");
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    try {
      next.set_text(key, value);
    } catch (const Error& e) {
      fail(e.status(), "config line " + std::to_string(number) + ": " + e.what());
    }
  }
  *this = std::move(next);
}

std::string Config::to_text() const {
  std::string out;
  for (size_t i = 0; i < registry_size(); ++i) {
    const char* name = registry_begin()[i].name;
    out += std::string(name) + " = " + get_text(name) + "\n";
  }
  return out;
}

}  // namespace s4seg

// A typed, range-checked set of options keyed by the registry's dotted names.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config_registry.h"

namespace s4seg {

class Config {
 public:
  Config();  // every registry key at its default

  void set_int(const std::string& key, int64_t v);
  void set_double(const std::string& key, double v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, const std::string& v);
  void set_text(const std::string& key, const std::string& text);  // converted to the key's type

  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;  // string keys only
  std::string get_text(const std::string& key) const;    // any key, as text

  // `key = value` lines, all-or-nothing.
  void parse(const std::string& text);
  // Every key as `key = value` lines (round-trips through parse).
  std::string to_text() const;

 private:
  struct Value {
    int64_t i = 0;
    double d = 0;
    std::string s;
  };
  const KeySpec& spec_of(const std::string& key) const;
  std::map<std::string, Value> values_;
};

// The allowed values of a registry key as text ("2..255", "ce|ohem"); a stable static string.
const char* allowed_text(const KeySpec& key);

// Parses a comma-separated list of positive integers ("6,12,18").
std::vector<int64_t> parse_int_list(const std::string& key, const std::string& text);

}  // namespace s4seg

// Declarations of the configuration key registry (the table lives in config_registry.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace s4seg {

enum class ValueType { Int = 0, Double = 1, Bool = 2, String = 3 };

struct KeySpec {
  const char* name;
  ValueType type;
  const char* default_value;  // as text, parsed by Config
  double min;                 // numeric range (inclusive); ignored for strings and bools
  double max;
  const char* choices;        // for strings: "a|b|c" (a choice ending in ":N" accepts a number); doc text otherwise
  const char* doc;
  int64_t multiple_of = 0;     // ints: value must be a multiple of this (0 = any)
};

const KeySpec* registry_begin();
size_t registry_size();
const KeySpec* find_key(const std::string& name);
const char* type_name(ValueType t);

}  // namespace s4seg

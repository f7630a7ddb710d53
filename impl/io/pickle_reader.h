// A minimal pickle interpreter: the binary opcodes of protocols 2-5 that torch.save emits, no code
// execution. What globals, calls and persistent ids mean is left to a PickleHandler, so the same VM
// reads torch.save's data.pkl and the pickles of the legacy format.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace s4seg {

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

// What a handler attaches to an Object it understands (a storage, a tensor recipe...).
struct PickleNative {
  virtual ~PickleNative() = default;
};

// Containers are shared and mutable: pickle memoizes a dict, then fills it with SETITEMS.
struct PickleValue {
  enum class Kind { None, Bool, Int, BigInt, Float, Str, Bytes, Tuple, List, Dict, Global, Object };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  // Str and Bytes: the content; BigInt: little-endian two's complement bytes (LONG1/LONG4 wider than
  // 64 bits); Global and Object: "module.name" of the class or function.
  std::string text;
  std::vector<PickleRef> items;                          // Tuple, List
  std::vector<std::pair<PickleRef, PickleRef>> entries;  // Dict, in insertion order
  std::unordered_map<std::string, size_t> str_keys;      // Dict: index into entries of each Str key
  std::shared_ptr<PickleNative> native;                  // Object: what the handler made of it

  PickleValue() = default;
  explicit PickleValue(Kind k) : kind(k) {}
  PickleValue(const PickleValue&) = delete;
  PickleValue& operator=(const PickleValue&) = delete;
  // Tears nested containers down iteratively: a crafted pickle can nest deeply enough to overflow
  // the stack with recursive destructors.
  ~PickleValue();

  bool is_str() const { return kind == Kind::Str; }
  // Dict lookup by string key; null when absent.
  PickleRef get(const std::string& key) const;
  // Dict insertion with Python's semantics: an existing equal Str key keeps its place, the value changes.
  void set(PickleRef key, PickleRef value);
  // Human-readable kind for messages ("dict", "collections.OrderedDict object"...).
  std::string describe() const;
};

PickleRef make_pickle_value(PickleValue::Kind kind);
PickleRef make_pickle_str(std::string text);
PickleRef make_pickle_int(int64_t v);

class PickleHandler {
 public:
  virtual ~PickleHandler() = default;
  // GLOBAL / STACK_GLOBAL. Default: a Global value naming "module.name".
  virtual PickleRef find_class(const std::string& module, const std::string& name);
  // REDUCE, NEWOBJ and NEWOBJ_EX: callable(*args). Default: an opaque Object named after the callable.
  virtual PickleRef call(const PickleRef& callable, const PickleRef& args);
  // BUILD (__setstate__ or __dict__ update). Default: ignored.
  virtual void build(const PickleRef& object, const PickleRef& state) {}
  // BINPERSID. Default: null, which unpickle reports as Error(Format): a plain pickle has none.
  virtual PickleRef persistent_load(const PickleRef& pid);
};

// Runs one pickle from data[*pos] up to and including its STOP; *pos is left after the STOP.
// Throws Error(Format) naming `who` on truncation, an unknown opcode or a malformed stack.
PickleRef unpickle(const uint8_t* data, size_t size, size_t* pos, PickleHandler& handler, const std::string& who);

}  // namespace s4seg

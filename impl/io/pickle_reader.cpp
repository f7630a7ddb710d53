#include "io/pickle_reader.h"

#include <cstring>

#include "core/error.h"

namespace s4seg {

PickleValue::~PickleValue() {
  std::vector<PickleRef> pending;
  auto take_children = [&pending](PickleValue& v) {
    for (PickleRef& r : v.items) pending.push_back(std::move(r));
    for (auto& e : v.entries) {
      pending.push_back(std::move(e.first));
      pending.push_back(std::move(e.second));
    }
    v.items.clear();
    v.entries.clear();
  };
  take_children(*this);
  while (!pending.empty()) {
    PickleRef r = std::move(pending.back());
    pending.pop_back();
    // Only the last owner empties a child; it is then destroyed here with no children left.
    if (r && r.use_count() == 1) take_children(*r);
  }
}

PickleRef PickleValue::get(const std::string& key) const {
  auto it = str_keys.find(key);
  return it == str_keys.end() ? nullptr : entries[it->second].second;
}

void PickleValue::set(PickleRef key, PickleRef value) {
  if (key && key->is_str()) {
    auto it = str_keys.find(key->text);
    if (it != str_keys.end()) {
      entries[it->second].second = std::move(value);
      return;
    }
    str_keys.emplace(key->text, entries.size());
  }
  entries.emplace_back(std::move(key), std::move(value));
}

std::string PickleValue::describe() const {
  switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int:
    case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global " + text;
    case Kind::Object: return text + " object";
  }
  return "value";
}

PickleRef make_pickle_value(PickleValue::Kind kind) { return std::make_shared<PickleValue>(kind); }

PickleRef make_pickle_str(std::string text) {
  PickleRef v = make_pickle_value(PickleValue::Kind::Str);
  v->text = std::move(text);
  return v;
}

PickleRef make_pickle_int(int64_t i) {
  PickleRef v = make_pickle_value(PickleValue::Kind::Int);
  v->integer = i;
  return v;
}

PickleRef PickleHandler::find_class(const std::string& module, const std::string& name) {
  PickleRef v = make_pickle_value(PickleValue::Kind::Global);
  v->text = module + "." + name;
  return v;
}

PickleRef PickleHandler::call(const PickleRef& callable, const PickleRef& args) {
  PickleRef v = make_pickle_value(PickleValue::Kind::Object);
  v->text = callable->kind == PickleValue::Kind::Global ? callable->text : callable->describe();
  return v;
}

PickleRef PickleHandler::persistent_load(const PickleRef& pid) { return nullptr; }

namespace {

using Kind = PickleValue::Kind;

// Opcodes (Python's Lib/pickle.py names).
enum Op : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', BININT = 'J', BININT1 = 'K', BININT2 = 'M',
  NONE = 'N', BINPERSID = 'Q', REDUCE = 'R', BINSTRING = 'T', SHORT_BINSTRING = 'U', BINUNICODE = 'X',
  APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', APPENDS = 'e', BINGET = 'h',
  LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']', BINPUT = 'q', LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't',
  EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G', BINBYTES = 'B', SHORT_BINBYTES = 'C',
  PROTO = 0x80, NEWOBJ = 0x81, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89,
  LONG1 = 0x8a, LONG4 = 0x8b, SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f,
  ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
  BYTEARRAY8 = 0x96,
};

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, size_t pos, PickleHandler& handler, const std::string& who)
      : data_(data), size_(size), pos_(pos), handler_(handler), who_(who) {}

  PickleRef run();
  size_t pos() const { return pos_; }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(Status::Format, who_ + ": corrupt pickle (" + what + " at byte " + std::to_string(op_pos_) + ")");
  }
  const uint8_t* take(uint64_t n) {
    if (n > size_ - pos_) bad("truncated");
    const uint8_t* p = data_ + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint64_t take_le(int n) {
    const uint8_t* p = take(n);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
  std::string take_string(uint64_t n) {
    const uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }
  std::string take_line() {
    const void* nl = pos_ < size_ ? std::memchr(data_ + pos_, '\n', size_ - pos_) : nullptr;
    if (!nl) bad("unterminated line");
    size_t n = static_cast<const uint8_t*>(nl) - (data_ + pos_);
    std::string s = take_string(n);
    ++pos_;
    return s;
  }

  void push(PickleRef v) { stack_.push_back(std::move(v)); }
  PickleRef pop() {
    if (stack_.size() <= floor()) bad("stack underflow");
    PickleRef v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  PickleRef& top() {
    if (stack_.size() <= floor()) bad("stack underflow");
    return stack_.back();
  }
  // Items above the current mark may not be popped individually past it.
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<PickleRef> pop_mark() {
    if (marks_.empty()) bad("no mark");
    size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PickleRef> out(std::make_move_iterator(stack_.begin() + m), std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return out;
  }
  PickleRef make_seq(Kind kind, std::vector<PickleRef> items) {
    PickleRef v = make_pickle_value(kind);
    v->items = std::move(items);
    return v;
  }
  PickleRef make_text(Kind kind, uint64_t n) {
    PickleRef v = make_pickle_value(kind);
    v->text = take_string(n);
    return v;
  }
  PickleRef make_long(uint64_t n);
  void memo_put(uint64_t index) { memo_[index] = top(); }
  PickleRef memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) bad("memo key " + std::to_string(index) + " never stored");
    return it->second;
  }
  void append_items(const PickleRef& target, std::vector<PickleRef> items);
  void set_items(const PickleRef& target, std::vector<PickleRef> kv);
  PickleRef expect_tuple(PickleRef v, const char* op) {
    if (!v || v->kind != Kind::Tuple) bad(std::string(op) + " arguments are not a tuple");
    return v;
  }
  void step(uint8_t op);

  const uint8_t* data_;
  size_t size_;
  size_t pos_;
  size_t op_pos_ = 0;
  PickleHandler& handler_;
  const std::string& who_;
  std::vector<PickleRef> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleRef> memo_;
  bool stopped_ = false;
};

PickleRef Machine::make_long(uint64_t n) {
  const uint8_t* p = take(n);
  if (n <= 8) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~uint64_t(0) << (8 * n);  // sign-extend
    PickleRef r = make_pickle_int(static_cast<int64_t>(v));
    return r;
  }
  PickleRef r = make_pickle_value(Kind::BigInt);
  r->text.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  return r;
}

void Machine::append_items(const PickleRef& target, std::vector<PickleRef> items) {
  // An opaque object (a list subclass the handler does not know) keeps them too; nothing reads them.
  if (target->kind != Kind::List && target->kind != Kind::Object) bad("append to a " + target->describe());
  for (PickleRef& v : items) target->items.push_back(std::move(v));
}

void Machine::set_items(const PickleRef& target, std::vector<PickleRef> kv) {
  if (target->kind != Kind::Dict && target->kind != Kind::Object) bad("setitem on a " + target->describe());
  if (kv.size() % 2 != 0) bad("odd number of dict items");
  for (size_t i = 0; i < kv.size(); i += 2) target->set(std::move(kv[i]), std::move(kv[i + 1]));
}

void Machine::step(uint8_t op) {
  switch (op) {
    case PROTO: {
      uint8_t proto = *take(1);
      if (proto > 5) bad("pickle protocol " + std::to_string(proto) + " is newer than 5");
      break;
    }
    case FRAME: take(8); break;  // frames only group opcodes for buffered readers
    case STOP: stopped_ = true; break;
    case MARK: marks_.push_back(stack_.size()); break;
    case POP:
      if (stack_.size() > floor()) stack_.pop_back();
      else pop_mark();  // Python's POP discards the topmost mark when it is on top
      break;
    case POP_MARK: pop_mark(); break;
    case DUP: push(top()); break;
    case NONE: push(make_pickle_value(Kind::None)); break;
    case NEWTRUE:
    case NEWFALSE: {
      PickleRef v = make_pickle_value(Kind::Bool);
      v->boolean = op == NEWTRUE;
      push(v);
      break;
    }
    case BININT: push(make_pickle_int(static_cast<int32_t>(take_le(4)))); break;
    case BININT1: push(make_pickle_int(static_cast<int64_t>(take_le(1)))); break;
    case BININT2: push(make_pickle_int(static_cast<int64_t>(take_le(2)))); break;
    case LONG1: push(make_long(take_le(1))); break;
    case LONG4: {
      int32_t n = static_cast<int32_t>(take_le(4));
      if (n < 0) bad("negative LONG4 length");
      push(make_long(static_cast<uint64_t>(n)));
      break;
    }
    case BINFLOAT: {
      const uint8_t* p = take(8);
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian on the wire
      PickleRef v = make_pickle_value(Kind::Float);
      std::memcpy(&v->real, &bits, 8);
      push(v);
      break;
    }
    case BINSTRING: {
      int32_t n = static_cast<int32_t>(take_le(4));
      if (n < 0) bad("negative BINSTRING length");
      push(make_text(Kind::Str, static_cast<uint64_t>(n)));
      break;
    }
    case SHORT_BINSTRING: push(make_text(Kind::Str, take_le(1))); break;
    case BINUNICODE: push(make_text(Kind::Str, take_le(4))); break;
    case SHORT_BINUNICODE: push(make_text(Kind::Str, take_le(1))); break;
    case BINUNICODE8: push(make_text(Kind::Str, take_le(8))); break;
    case BINBYTES: push(make_text(Kind::Bytes, take_le(4))); break;
    case SHORT_BINBYTES: push(make_text(Kind::Bytes, take_le(1))); break;
    case BINBYTES8:
    case BYTEARRAY8: push(make_text(Kind::Bytes, take_le(8))); break;
    case EMPTY_DICT: push(make_pickle_value(Kind::Dict)); break;
    case EMPTY_LIST:
    case EMPTY_SET: push(make_pickle_value(Kind::List)); break;  // sets only matter as skipped values
    case EMPTY_TUPLE: push(make_pickle_value(Kind::Tuple)); break;
    case TUPLE1:
    case TUPLE2:
    case TUPLE3: {
      size_t n = op - TUPLE1 + 1;
      std::vector<PickleRef> items(n);
      for (size_t i = n; i-- > 0;) items[i] = pop();
      push(make_seq(Kind::Tuple, std::move(items)));
      break;
    }
    case TUPLE: push(make_seq(Kind::Tuple, pop_mark())); break;
    case LIST: push(make_seq(Kind::List, pop_mark())); break;
    case FROZENSET: push(make_seq(Kind::List, pop_mark())); break;
    case DICT: {
      PickleRef d = make_pickle_value(Kind::Dict);
      set_items(d, pop_mark());
      push(d);
      break;
    }
    case APPEND: {
      PickleRef v = pop();
      append_items(top(), {v});
      break;
    }
    case APPENDS:
    case ADDITEMS: {
      std::vector<PickleRef> items = pop_mark();
      append_items(top(), std::move(items));
      break;
    }
    case SETITEM: {
      PickleRef v = pop();
      PickleRef k = pop();
      set_items(top(), {k, v});
      break;
    }
    case SETITEMS: {
      std::vector<PickleRef> kv = pop_mark();
      set_items(top(), std::move(kv));
      break;
    }
    case GLOBAL: {
      std::string module = take_line();
      std::string name = take_line();
      push(handler_.find_class(module, name));
      break;
    }
    case STACK_GLOBAL: {
      PickleRef name = pop();
      PickleRef module = pop();
      if (!name->is_str() || !module->is_str()) bad("STACK_GLOBAL names are not strings");
      push(handler_.find_class(module->text, name->text));
      break;
    }
    case REDUCE:
    case NEWOBJ: {
      PickleRef args = expect_tuple(pop(), op == REDUCE ? "REDUCE" : "NEWOBJ");
      PickleRef callable = pop();
      push(handler_.call(callable, args));
      break;
    }
    case NEWOBJ_EX: {
      pop();  // keyword arguments: no class torch.save writes needs them
      PickleRef args = expect_tuple(pop(), "NEWOBJ_EX");
      PickleRef cls = pop();
      push(handler_.call(cls, args));
      break;
    }
    case BUILD: {
      PickleRef state = pop();
      handler_.build(top(), state);
      break;
    }
    case BINPERSID: {
      PickleRef pid = pop();
      PickleRef loaded = handler_.persistent_load(pid);
      if (!loaded) bad("persistent id where none is expected");
      push(loaded);
      break;
    }
    case BINPUT: memo_put(take_le(1)); break;
    case LONG_BINPUT: memo_put(take_le(4)); break;
    case MEMOIZE: memo_put(memo_.size()); break;
    case BINGET: push(memo_get(take_le(1))); break;
    case LONG_BINGET: push(memo_get(take_le(4))); break;
    default: {
      static const char* hex = "0123456789abcdef";
      bad(std::string("unsupported opcode 0x") + hex[op >> 4] + hex[op & 15]);
    }
  }
}

PickleRef Machine::run() {
  while (!stopped_) {
    op_pos_ = pos_;
    if (pos_ >= size_) bad("truncated, no STOP");
    step(data_[pos_++]);
  }
  if (!marks_.empty()) bad("unclosed mark");
  return pop();
}

}  // namespace

PickleRef unpickle(const uint8_t* data, size_t size, size_t* pos, PickleHandler& handler, const std::string& who) {
  if (*pos > size) fail(Status::Format, who + ": corrupt pickle (starts past the end)");
  Machine m(data, size, *pos, handler, who);
  PickleRef v = m.run();
  *pos = m.pos();
  return v;
}

}  // namespace s4seg

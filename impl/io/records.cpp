#include "io/records.h"

#include <cstdint>

#include "core/error.h"

namespace s4seg {

namespace {
void put(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

struct Reader {
  const std::string& b;
  size_t pos;
  const std::string& who;
  uint64_t get(int n) {
    if (b.size() - pos < static_cast<size_t>(n)) fail(Status::Format, who + ": record table is truncated");
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[pos + static_cast<size_t>(i)]);
    pos += static_cast<size_t>(n);
    return v;
  }
  std::string bytes(uint64_t n) {
    if (b.size() - pos < n) fail(Status::Format, who + ": record table is truncated");
    std::string s = b.substr(pos, static_cast<size_t>(n));
    pos += static_cast<size_t>(n);
    return s;
  }
};
}  // namespace

std::string pack_records(const Records& records) {
  std::string out;
  put(out, records.size(), 4);
  for (const auto& kv : records) {
    put(out, kv.first.size(), 4);
    out += kv.first;
    put(out, kv.second.size(), 8);
    out += kv.second;
  }
  return out;
}

Records unpack_records(const std::string& bytes, const std::string& who) {
  Reader r{bytes, 0, who};
  uint64_t count = r.get(4);
  Records out;
  for (uint64_t i = 0; i < count; ++i) {
    std::string name = r.bytes(r.get(4));
    out[name] = r.bytes(r.get(8));
  }
  if (r.pos != bytes.size()) fail(Status::Format, who + ": trailing bytes after the record table");
  return out;
}

const std::string& record_at(const Records& r, const std::string& name, const std::string& who) {
  auto it = r.find(name);
  if (it == r.end()) fail(Status::Format, who + ": missing record '" + name + "'");
  return it->second;
}

}  // namespace s4seg

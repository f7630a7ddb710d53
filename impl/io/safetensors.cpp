// safetensors: u64 little-endian header length N | N bytes of JSON | data. The JSON maps each tensor
// name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data), plus an
// optional "__metadata__" string map.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "io/file_util.h"
#include "io/weight_file.h"
#include "io/weight_file_guard.h"

namespace s4seg {

namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
const char* const kMetadataKey = "__metadata__";

struct SafetensorsDtype {
  const char* name;
  c10::ScalarType dtype;
};
const SafetensorsDtype kDtypes[] = {
    {"F32", c10::ScalarType::Float}, {"F16", c10::ScalarType::Half},  {"BF16", c10::ScalarType::BFloat16},
    {"F64", c10::ScalarType::Double}, {"I64", c10::ScalarType::Long}, {"I32", c10::ScalarType::Int},
    {"I16", c10::ScalarType::Short}, {"I8", c10::ScalarType::Char},   {"U8", c10::ScalarType::Byte},
    {"BOOL", c10::ScalarType::Bool},
};

const char* dtype_name(c10::ScalarType t) {
  for (const SafetensorsDtype& d : kDtypes)
    if (d.dtype == t) return d.name;
  return nullptr;
}

struct Entry {
  std::string name;
  c10::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

Entry parse_entry(const std::string& name, const json& v, uint64_t data_size, const std::string& who) {
  const std::string what = who + ": tensor '" + name + "'";
  if (!v.is_object()) fail(Status::Format, what + " is not a JSON object in the header");
  auto dtype = v.find("dtype");
  auto shape = v.find("shape");
  auto offsets = v.find("data_offsets");
  if (dtype == v.end() || !dtype->is_string() || shape == v.end() || !shape->is_array() || offsets == v.end() ||
      !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    fail(Status::Format, what + " lacks a dtype string, a shape array or two data_offsets");
  Entry e;
  e.name = name;
  const std::string type = dtype->get<std::string>();
  const SafetensorsDtype* found = nullptr;
  for (const SafetensorsDtype& d : kDtypes)
    if (type == d.name) found = &d;
  if (!found) fail(Status::Unsupported, what + " has dtype " + type.substr(0, 32) + ", which is not supported");
  e.dtype = found->dtype;
  uint64_t bytes = c10::elementSize(e.dtype);
  bool overflow = false;
  for (const json& d : *shape) {
    if (!d.is_number_unsigned() || d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail(Status::Format, what + " has a shape entry that is not a non-negative integer");
    e.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
    overflow |= __builtin_mul_overflow(bytes, d.get<uint64_t>(), &bytes);
  }
  e.begin = (*offsets)[0].get<uint64_t>();
  e.end = (*offsets)[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size)
    fail(Status::Format, what + " has data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                             "] outside the " + std::to_string(data_size) + " data bytes");
  if (overflow || e.end - e.begin != bytes)
    fail(Status::Format,
         what + " has " + std::to_string(e.end - e.begin) + " data bytes, which does not match its shape");
  return e;
}

std::vector<NamedTensor> read_safetensors_bytes(const std::vector<uint8_t>& b, const std::string& who) {
  if (b.size() < 8) fail(Status::Format, who + " is too short for a safetensors header");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | b[i];
  if (n > kMaxHeaderBytes)
    fail(Status::Format, who + " declares a " + std::to_string(n) + "-byte header (more than 100 MB)");
  if (n > b.size() - 8)
    fail(Status::Format, who + " declares a " + std::to_string(n) + "-byte header but has only " +
                             std::to_string(b.size() - 8) + " bytes after the length (truncated or not safetensors)");
  json header = json::parse(b.begin() + 8, b.begin() + 8 + static_cast<std::ptrdiff_t>(n), nullptr, false);
  if (header.is_discarded() || !header.is_object())
    fail(Status::Format, who + " has a safetensors header that is not a JSON object");
  const uint8_t* data = b.data() + 8 + n;
  const uint64_t data_size = b.size() - 8 - n;

  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == kMetadataKey) continue;
    entries.push_back(parse_entry(it.key(), it.value(), data_size, who));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    return x.begin != y.begin ? x.begin < y.begin : x.end != y.end ? x.end < y.end : x.name < y.name;
  });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end)
      fail(Status::Format,
           who + ": tensors '" + entries[i - 1].name + "' and '" + entries[i].name + "' overlap in the data");
  }

  std::vector<NamedTensor> out;
  out.reserve(entries.size());
  for (const Entry& e : entries) {
    const int64_t nbytes = static_cast<int64_t>(e.end - e.begin);
    if (nbytes == 0) {
      out.push_back({e.name, torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype))});
      continue;
    }
    torch::Tensor raw = torch::from_blob(const_cast<uint8_t*>(data + e.begin), {nbytes}, torch::kUInt8).clone();
    if (e.dtype == c10::ScalarType::Bool && raw.gt(1).any().item<bool>())
      fail(Status::Format, who + ": tensor '" + e.name + "' holds bool bytes other than 0 and 1");
    out.push_back({e.name, raw.view(e.dtype).view(e.shape)});
  }
  return out;
}

std::vector<uint8_t> safetensors_bytes(const std::vector<NamedTensor>& tensors, const std::string& who) {
  std::map<std::string, torch::Tensor> sorted;  // the header's key order, and the data's
  for (const NamedTensor& nt : tensors) {
    require(nt.name != kMetadataKey, "safetensors: a tensor may not be named " + std::string(kMetadataKey));
    require(nt.tensor.defined(), "safetensors: tensor '" + nt.name + "' is undefined");
    if (!dtype_name(nt.tensor.scalar_type()))
      fail(Status::Unsupported, "safetensors: tensor '" + nt.name + "' has dtype " +
                                    std::string(c10::toString(nt.tensor.scalar_type())) + ", which is not supported");
    bool fresh = sorted.emplace(nt.name, nt.tensor.detach().to(torch::kCPU).contiguous()).second;
    require(fresh, "safetensors: tensor name '" + nt.name + "' appears twice");
  }
  json header = json::object();
  uint64_t offset = 0;
  for (const auto& [name, t] : sorted) {
    uint64_t nbytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception&) {
    fail(Status::InvalidArgument, "safetensors: a tensor name for " + who + " is not valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  std::vector<uint8_t> out;
  out.reserve(8 + text.size() + offset);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  for (const auto& [name, t] : sorted) {
    const uint8_t* p = static_cast<const uint8_t*>(t.data_ptr());
    out.insert(out.end(), p, p + t.numel() * t.element_size());
  }
  return out;
}

}  // namespace

std::vector<NamedTensor> read_safetensors(const std::string& path) {
  return guard_weight_io(path, [&] { return read_safetensors_bytes(read_file(path), "'" + path + "'"); });
}

void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors) {
  guard_weight_io(path, [&] { write_file_atomic(path, safetensors_bytes(tensors, "'" + path + "'")); });
}

}  // namespace s4seg

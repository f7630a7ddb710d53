// The pre-1.6 torch.save format: five pickles back to back, then the raw storages.
#include <cstring>
#include <map>

#include "core/error.h"
#include "io/torch_pickle.h"
#include "io/torch_save_formats.h"

namespace s4seg {

namespace {

// 0x1950a86a20f9469cfc6c as LONG1 writes it: little-endian two's complement.
const uint8_t kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kProtocolVersion = 1001;

class LegacyStorages : public TorchStorageSource {
 public:
  explicit LegacyStorages(const std::string& who) : who_(who) {}
  void add(const std::string& key, const uint8_t* data, size_t size) { blobs_[key] = {data, size}; }
  std::pair<const uint8_t*, size_t> bytes(const std::string& key) override {
    auto it = blobs_.find(key);
    if (it == blobs_.end()) fail(Status::Format, who_ + " has no data for storage '" + key + "'");
    return it->second;
  }

 private:
  const std::string& who_;
  std::map<std::string, std::pair<const uint8_t*, size_t>> blobs_;
};

}  // namespace

std::vector<NamedTensor> read_torch_legacy(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string who = "'" + path + "'";
  const uint8_t* data = bytes.data();
  const size_t size = bytes.size();
  size_t pos = 0;
  PickleHandler plain;

  PickleRef magic = unpickle(data, size, &pos, plain, who);
  if (magic->kind != PickleValue::Kind::BigInt || magic->text.size() != sizeof(kMagic) ||
      std::memcmp(magic->text.data(), kMagic, sizeof(kMagic)) != 0)
    fail(Status::Format, who + " starts with a pickle but is not a torch.save file (no magic number)");
  PickleRef protocol = unpickle(data, size, &pos, plain, who);
  if (protocol->kind != PickleValue::Kind::Int || protocol->integer != kProtocolVersion)
    fail(Status::Unsupported, who + " uses a legacy torch.save protocol other than 1001");
  PickleRef sys_info = unpickle(data, size, &pos, plain, who);
  if (sys_info->kind != PickleValue::Kind::Dict) fail(Status::Format, who + " has no sys_info dict");
  PickleRef little = sys_info->get("little_endian");
  if (little && little->kind == PickleValue::Kind::Bool && !little->boolean)
    fail(Status::Unsupported, who + " was saved on a big-endian machine, which is not supported");

  TorchUnpickler handler(who);
  PickleRef root = unpickle(data, size, &pos, handler, who);
  PickleRef keys = unpickle(data, size, &pos, plain, who);
  if (keys->kind != PickleValue::Kind::List) fail(Status::Format, who + " has no storage key list");

  LegacyStorages storages(who);
  for (const PickleRef& k : keys->items) {
    if (!k->is_str()) fail(Status::Format, who + " has a storage key that is not a string");
    auto it = handler.storages().find(k->text);
    if (it == handler.storages().end())
      fail(Status::Format, who + " lists storage '" + k->text + "' that no object refers to");
    const TorchStorage& s = *it->second;
    // Storages follow each other with no index: a type of unknown width stops the walk.
    if (s.element_size == 0)
      fail(Status::Unsupported, who + " holds a storage of type " + s.type_name + ", which is not supported");
    if (size - pos < 8) fail(Status::Format, who + " is truncated (storage '" + k->text + "' size)");
    uint64_t count = 0;
    for (int i = 7; i >= 0; --i) count = (count << 8) | data[pos + i];
    pos += 8;
    if (count > (size - pos) / s.element_size)
      fail(Status::Format,
           who + " is truncated (storage '" + k->text + "' needs " + std::to_string(count) + " elements)");
    size_t n = static_cast<size_t>(count) * s.element_size;
    storages.add(k->text, data + pos, n);
    pos += n;
  }
  return torch_state_dict_tensors(root, storages, who);
}

}  // namespace s4seg

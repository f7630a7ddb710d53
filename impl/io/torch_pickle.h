// What torch.save's pickles mean: storages behind persistent ids, tensors rebuilt by
// torch._utils._rebuild_tensor_v2/v3 and _rebuild_parameter, OrderedDict state dicts. Shared by the
// zip and the legacy container readers; tensors are materialized only when a state dict is read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/pickle_reader.h"
#include "io/weight_file.h"

namespace s4seg {

// A storage named by a persistent id ('storage', storage_type, key, location, numel[, view_metadata]).
struct TorchStorage : PickleNative {
  std::string key;
  std::string type_name;        // "FloatStorage", "UntypedStorage"...
  bool has_dtype = false;       // false: a type this reader does not materialize (complex, quantized)
  c10::ScalarType dtype = c10::ScalarType::Byte;
  size_t element_size = 0;      // 0: unknown type
  int64_t numel = 0;            // in elements of the storage type
  // Legacy-format storage views: a byte window into the storage (whole storage when not a view).
  bool is_view = false;
  uint64_t view_offset_bytes = 0;
  uint64_t view_size_bytes = 0;
};

// Where storage bytes come from: the zip's data/<key> records or the legacy format's trailing blobs.
class TorchStorageSource {
 public:
  virtual ~TorchStorageSource() = default;
  // The bytes of storage `key`, valid while the source lives. Throws Error(Format) when absent.
  virtual std::pair<const uint8_t*, size_t> bytes(const std::string& key) = 0;
};

class TorchUnpickler : public PickleHandler {
 public:
  explicit TorchUnpickler(std::string who) : who_(std::move(who)) {}
  PickleRef call(const PickleRef& callable, const PickleRef& args) override;
  PickleRef persistent_load(const PickleRef& pid) override;
  // Every storage the pickle referenced, by key (the legacy reader needs their element sizes).
  const std::map<std::string, std::shared_ptr<TorchStorage>>& storages() const { return storages_; }

 private:
  PickleRef rebuild_tensor(const std::string& fn, const PickleRef& args);
  std::string who_;
  std::map<std::string, std::shared_ptr<TorchStorage>> storages_;
};

// Element size of a storage class ("FloatStorage"...), 0 when unknown; sets *dtype/*has_dtype.
size_t torch_storage_type_info(const std::string& type_name, c10::ScalarType* dtype, bool* has_dtype);

// The tensors of the state dict inside `root` (the object torch.save wrote), in file order: `root`
// itself or root["state_dict"] / root["model_state_dict"] / root["model"]; non-tensor values are skipped.
std::vector<NamedTensor> torch_state_dict_tensors(const PickleRef& root, TorchStorageSource& source,
                                                  const std::string& who);

}  // namespace s4seg

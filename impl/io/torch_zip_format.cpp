// The zip container through LibTorch's own reader (miniz inside), so we share its notion of the
// archive layout; the pickle itself goes through our interpreter, not torch::pickle_load, which on
// LibTorch 1.13 aborts on the OrderedDict-with-_metadata that torch.save(model.state_dict()) writes.
#include <caffe2/serialize/inline_container.h>

#include <map>
#include <memory>
#include <tuple>

#include "core/error.h"
#include "io/torch_pickle.h"
#include "io/torch_save_formats.h"
#include "io/weight_file_guard.h"

namespace s4seg {

namespace {

using caffe2::serialize::PyTorchStreamReader;

// LibTorch reports archive problems as c10::Error; name the file and what we were doing.
template <typename Fn>
auto zip_step(const std::string& who, const std::string& doing, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const c10::Error& e) {
    fail(Status::Format, who + " is not a readable torch.save zip archive (" + doing + ": " +
                             first_line(e.what_without_backtrace()) + ")");
  }
}

class ZipStorages : public TorchStorageSource {
 public:
  ZipStorages(PyTorchStreamReader& reader, const std::string& who) : reader_(reader), who_(who) {}

  std::pair<const uint8_t*, size_t> bytes(const std::string& key) override {
    auto it = records_.find(key);
    if (it == records_.end()) {
      const std::string name = "data/" + key;
      bool present = zip_step(who_, "looking up " + name, [&] { return reader_.hasRecord(name); });
      if (!present) fail(Status::Format, who_ + " has no record '" + name + "' for a tensor's storage");
      auto record = zip_step(who_, "reading " + name, [&] { return reader_.getRecord(name); });
      it = records_.emplace(key, std::move(record)).first;
    }
    return {static_cast<const uint8_t*>(std::get<0>(it->second).get()), std::get<1>(it->second)};
  }

 private:
  PyTorchStreamReader& reader_;
  const std::string& who_;
  std::map<std::string, std::tuple<at::DataPtr, size_t>> records_;
};

std::string record_text(PyTorchStreamReader& reader, const std::string& who, const std::string& name) {
  auto record = zip_step(who, "reading " + name, [&] { return reader.getRecord(name); });
  return std::string(static_cast<const char*>(std::get<0>(record).get()), std::get<1>(record));
}

}  // namespace

std::vector<NamedTensor> read_torch_zip(const std::string& path) {
  const std::string who = "'" + path + "'";
  auto reader = zip_step(who, "opening", [&] { return std::make_unique<PyTorchStreamReader>(path); });
  if (zip_step(who, "looking up byteorder", [&] { return reader->hasRecord("byteorder"); })) {
    std::string order = record_text(*reader, who, "byteorder");
    if (order == "big") fail(Status::Unsupported, who + " was saved on a big-endian machine, which is not supported");
    if (order != "little") fail(Status::Format, who + " has an unknown byteorder record '" + order.substr(0, 16) + "'");
  }
  if (!zip_step(who, "looking up data.pkl", [&] { return reader->hasRecord("data.pkl"); }))
    fail(Status::Format, who + " is a zip archive without data.pkl, not a torch.save file");
  std::string pickle = record_text(*reader, who, "data.pkl");
  TorchUnpickler handler(who);
  size_t pos = 0;
  PickleRef root = unpickle(reinterpret_cast<const uint8_t*>(pickle.data()), pickle.size(), &pos, handler, who);
  ZipStorages storages(*reader, who);
  return torch_state_dict_tensors(root, storages, who);
}

}  // namespace s4seg

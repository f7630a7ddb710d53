// Which reader a weight file needs, decided by its first bytes.
#include "io/weight_file.h"

#include "core/error.h"
#include "io/file_util.h"
#include "io/torch_save_formats.h"
#include "io/weight_file_guard.h"

namespace s4seg {

namespace {

enum class WeightFormat { TorchZip, TorchLegacy, Safetensors, Unknown };

WeightFormat sniff(const std::vector<uint8_t>& head) {
  if (head.size() >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
    return WeightFormat::TorchZip;
  // A safetensors length whose low byte is 0x80 must not pass for a pickle: its JSON starts at byte 8.
  bool json_at_8 = head.size() >= 9 && head[8] == '{';
  if (!head.empty() && head[0] == 0x80 && !json_at_8) return WeightFormat::TorchLegacy;
  if (json_at_8) return WeightFormat::Safetensors;
  return WeightFormat::Unknown;
}

std::vector<NamedTensor> read_torch(const std::string& path, WeightFormat format) {
  if (format == WeightFormat::TorchZip) return guard_weight_io(path, [&] { return read_torch_zip(path); });
  return guard_weight_io(path, [&] { return read_torch_legacy(path, read_file(path)); });
}

}  // namespace

std::vector<NamedTensor> read_torch_state_dict(const std::string& path) {
  WeightFormat format = sniff(read_file_prefix(path, 16));
  if (format != WeightFormat::TorchZip && format != WeightFormat::TorchLegacy)
    fail(Status::Format, "'" + path + "' is not a torch.save file (neither a zip archive nor a pickle)");
  return read_torch(path, format);
}

std::vector<NamedTensor> read_weight_file(const std::string& path) {
  WeightFormat format = sniff(read_file_prefix(path, 16));
  switch (format) {
    case WeightFormat::TorchZip:
    case WeightFormat::TorchLegacy: return read_torch(path, format);
    case WeightFormat::Safetensors: return read_safetensors(path);
    case WeightFormat::Unknown: break;
  }
  fail(Status::Format,
       "'" + path + "' is not a weight file this reader knows (torch.save zip or legacy pickle, or safetensors)");
}

}  // namespace s4seg

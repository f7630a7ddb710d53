// Readers for pretrained-weight files: torch.save state dicts (zip and legacy formats) and
// safetensors, plus a safetensors writer. Every failure is an s4seg::Error: Io for a file that cannot
// be read, Format for a truncated, corrupt or foreign file, Unsupported for a dtype or layout that
// is recognised but not handled (naming the tensor).
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

namespace s4seg {

// CPU, contiguous, in its stored dtype.
struct NamedTensor {
  std::string name;
  torch::Tensor tensor;
};

// torch.save files: the zip format (PyTorch >= 1.6) and the legacy pickle format. The saved object
// may be an OrderedDict (torch.save(model.state_dict())), a plain dict, or a dict nesting the state
// dict under "state_dict", "model_state_dict" or "model"; non-tensor values are skipped. File order.
std::vector<NamedTensor> read_torch_state_dict(const std::string& path);

// Tensors in the order of their data offsets; "__metadata__" is ignored. Dtypes F32, F16, BF16, F64,
// I64, I32, I16, I8, U8, BOOL.
std::vector<NamedTensor> read_safetensors(const std::string& path);
// Writes a temporary file and renames it onto `path`. Header keys sorted, data in the same order,
// header padded with spaces to a multiple of 8 bytes (as the reference implementation does).
void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors);

// Dispatches on content, not on the extension: zip "PK\x03\x04" → torch zip, a pickle PROTO byte
// (0x80) → legacy torch.save, otherwise a safetensors header.
std::vector<NamedTensor> read_weight_file(const std::string& path);

}  // namespace s4seg

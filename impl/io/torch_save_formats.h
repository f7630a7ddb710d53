// The two containers torch.save writes; both hand their pickle to TorchUnpickler (io/torch_pickle.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/weight_file.h"

namespace s4seg {

// PyTorch >= 1.6: a zip archive with <archive>/data.pkl and <archive>/data/<key> storage records.
std::vector<NamedTensor> read_torch_zip(const std::string& path);
// Before 1.6 (or _use_new_zipfile_serialization=False): magic number, protocol 1001 and sys_info
// pickles, the object pickle, the sorted storage key list, then each storage as i64 count + bytes.
std::vector<NamedTensor> read_torch_legacy(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace s4seg

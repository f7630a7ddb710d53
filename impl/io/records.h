// A flat name → bytes table, the raw content of model and checkpoint files (inside the container):
//   u32 count | count × (u32 name length | name | u64 value length | value)
// Tensors are stored with tensor_codec (models/tensor_codec.h); strings as they are.
#pragma once
#include <map>
#include <string>

namespace s4seg {

using Records = std::map<std::string, std::string>;

std::string pack_records(const Records& records);
// Throws Error(Format) naming `who` when the bytes are not a well-formed table.
Records unpack_records(const std::string& bytes, const std::string& who);
// Throws Error(Format) when `name` is missing.
const std::string& record_at(const Records& r, const std::string& name, const std::string& who);

}  // namespace s4seg

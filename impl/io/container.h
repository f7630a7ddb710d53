// The s4seg file container for models and checkpoints:
//   magic "S4SEGF\r\n" (8) | format version u32 | kind u32 | raw length u64 | payload length u64 |
//   CRC-32 of payload u32 | reserved u32 | payload = zlib(raw)
// All integers little-endian. A reader rejects a wrong magic, a newer version, a short file, a
// CRC mismatch or a failed inflate with Error(Format).
#pragma once
#include <cstdint>
#include <string>

namespace s4seg {

enum class ContainerKind : uint32_t { Model = 1, Checkpoint = 2 };

constexpr uint32_t kContainerVersion = 1;

void write_container(const std::string& path, ContainerKind kind, const std::string& raw);
// Returns the raw bytes; `kind` receives the stored kind.
std::string read_container(const std::string& path, ContainerKind* kind);

}  // namespace s4seg

// Whole-file reads and crash-safe writes (temporary file, fsync, rename).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace s4seg {

// Throws Error(Io) naming the path and the OS reason.
std::vector<uint8_t> read_file(const std::string& path);
// Reads at most `limit` bytes from the start (for signatures and headers).
std::vector<uint8_t> read_file_prefix(const std::string& path, size_t limit);
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
std::string join_path(const std::string& root, const std::string& rel);

}  // namespace s4seg

#include "io/container.h"

#include <zlib.h>

#include <cstring>
#include <vector>

#include "core/error.h"
#include "io/file_util.h"

namespace s4seg {

namespace {
const char kMagic[8] = {'S', '4', 'S', 'E', 'G', 'F', '\r', '\n'};
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 8 + 4 + 4;
constexpr uint64_t kMaxRaw = uint64_t(1) << 40;

void put_u32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint32_t crc_of(const uint8_t* p, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {  // crc32 takes uInt lengths
    uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    crc = crc32(crc, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}
}  // namespace

void write_container(const std::string& path, ContainerKind kind, const std::string& raw) {
  uLongf bound = compressBound(static_cast<uLong>(raw.size()));
  std::vector<uint8_t> payload(bound);
  int rc = compress2(payload.data(), &bound, reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 6);
  if (rc == Z_MEM_ERROR) throw std::bad_alloc();
  if (rc != Z_OK) fail(Status::Internal, "zlib compression failed (" + std::to_string(rc) + ")");
  payload.resize(bound);
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  out.reserve(kHeaderSize + payload.size());
  put_u32(out, kContainerVersion);
  put_u32(out, static_cast<uint32_t>(kind));
  put_u64(out, raw.size());
  put_u64(out, payload.size());
  put_u32(out, crc_of(payload.data(), payload.size()));
  put_u32(out, 0);
  out.insert(out.end(), payload.begin(), payload.end());
  write_file_atomic(path, out);
}

std::string read_container(const std::string& path, ContainerKind* kind) {
  std::vector<uint8_t> b = read_file(path);
  const std::string who = "'" + path + "'";
  if (b.empty()) fail(Status::Format, who + " is empty, not an s4seg model file");
  if (b.size() < 8 || std::memcmp(b.data(), kMagic, 8) != 0) fail(Status::Format, who + " is not an s4seg model file (bad magic)");
  if (b.size() < kHeaderSize) fail(Status::Format, who + " is truncated (incomplete header)");
  uint32_t version = static_cast<uint32_t>(get_le(&b[8], 4));
  uint32_t k = static_cast<uint32_t>(get_le(&b[12], 4));
  uint64_t raw_len = get_le(&b[16], 8);
  uint64_t payload_len = get_le(&b[24], 8);
  uint32_t crc = static_cast<uint32_t>(get_le(&b[32], 4));
  if (version == 0 || version > kContainerVersion)
    fail(Status::Format, who + " has format version " + std::to_string(version) + "; this s4seg reads up to " +
                             std::to_string(kContainerVersion));
  if (k != static_cast<uint32_t>(ContainerKind::Model) && k != static_cast<uint32_t>(ContainerKind::Checkpoint))
    fail(Status::Format, who + " has an unknown content kind " + std::to_string(k));
  if (payload_len != b.size() - kHeaderSize)
    fail(Status::Format, who + " is truncated or has trailing bytes (payload " + std::to_string(b.size() - kHeaderSize) +
                             " bytes, header says " + std::to_string(payload_len) + ")");
  if (raw_len > kMaxRaw) fail(Status::Format, who + " declares an implausible size");
  if (crc_of(&b[kHeaderSize], payload_len) != crc) fail(Status::Format, who + " is corrupt (CRC-32 mismatch)");
  std::string raw(raw_len, '\0');
  uLongf got = static_cast<uLongf>(raw_len);
  int rc = uncompress(reinterpret_cast<Bytef*>(&raw[0]), &got, &b[kHeaderSize], static_cast<uLong>(payload_len));
  if (rc == Z_MEM_ERROR) throw std::bad_alloc();
  if (rc != Z_OK || got != raw_len) fail(Status::Format, who + " is corrupt (zlib payload does not inflate)");
  *kind = static_cast<ContainerKind>(k);
  return raw;
}

}  // namespace s4seg

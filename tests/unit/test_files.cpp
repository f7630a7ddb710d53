// The container (magic, version, CRC, zlib), record tables and tensor encoding.
#include <unistd.h>

#include <fstream>

#include "core/error.h"
#include "io/container.h"
#include "io/file_util.h"
#include "io/records.h"
#include "models/tensor_codec.h"
#include "unit_test.h"

using namespace s4seg;

static std::string temp_path(const char* name) {
  return "/tmp/s4seg_unit_" + std::to_string(getpid()) + "_" + name;
}

static void container_round_trips(void**) {
  std::string path = temp_path("c1");
  std::string raw(10000, 'x');
  raw[5000] = 'y';
  write_container(path, ContainerKind::Checkpoint, raw);
  ContainerKind kind;
  assert_true(read_container(path, &kind) == raw);
  assert_true(kind == ContainerKind::Checkpoint);
  unlink(path.c_str());
}

static void container_detects_a_flipped_byte(void**) {
  std::string path = temp_path("c2");
  write_container(path, ContainerKind::Model, std::string(5000, 'a'));
  std::vector<uint8_t> b = read_file(path);
  b[b.size() - 3] ^= 0x40;
  write_file_atomic(path, b);
  ContainerKind kind;
  ASSERT_THROWS_STATUS(read_container(path, &kind), Status::Format);
  unlink(path.c_str());
}

static void container_rejects_newer_version(void**) {
  std::string path = temp_path("c3");
  write_container(path, ContainerKind::Model, "abc");
  std::vector<uint8_t> b = read_file(path);
  b[8] = static_cast<uint8_t>(kContainerVersion + 1);
  write_file_atomic(path, b);
  ContainerKind kind;
  ASSERT_THROWS_STATUS(read_container(path, &kind), Status::Format);
  unlink(path.c_str());
}

static void missing_file_is_io(void**) {
  ContainerKind kind;
  ASSERT_THROWS_STATUS(read_container("/nonexistent/dir/model.s4seg", &kind), Status::Io);
}

static void records_round_trip_and_reject_truncation(void**) {
  Records r{{"a", "1"}, {"b", std::string("\0\1\2", 3)}};
  std::string packed = pack_records(r);
  assert_true(unpack_records(packed, "t") == r);
  ASSERT_THROWS_STATUS(unpack_records(packed.substr(0, packed.size() - 1), "t"), Status::Format);
  ASSERT_THROWS_STATUS(unpack_records(packed + "z", "t"), Status::Format);
}

static void tensors_round_trip_in_every_stored_type(void**) {
  for (auto type : {torch::kFloat, torch::kLong, torch::kBFloat16, torch::kUInt8}) {
    torch::Tensor t = torch::arange(24).to(type).view({2, 3, 4});
    torch::Tensor u = decode_tensor(encode_tensor(t), "t");
    assert_true(u.scalar_type() == type);
    assert_true(torch::equal(t, u));
  }
  std::string e = encode_tensor(torch::ones({3}));
  ASSERT_THROWS_STATUS(decode_tensor(e.substr(0, e.size() - 1), "t"), Status::Format);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(container_round_trips),          cmocka_unit_test(container_detects_a_flipped_byte),
      cmocka_unit_test(container_rejects_newer_version), cmocka_unit_test(missing_file_is_io),
      cmocka_unit_test(records_round_trip_and_reject_truncation), cmocka_unit_test(tensors_round_trip_in_every_stored_type),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

// Weight-file readers: safetensors round trips and rejections, and torch.save files written at test
// time by a Python with torch and torchvision (S4SEG_TORCH_PYTHON, found by CMake), compared
// bit-for-bit with the same tensors written by that Python as safetensors.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/file_util.h"
#include "io/weight_file.h"
#include "unit_test.h"

using namespace s4seg;

namespace {

std::string g_dir;            // this run's temporary folder
std::string g_torch_dir;      // what write_torch_weights.py wrote; empty when skipped
std::string g_python;

std::string in_dir(const std::string& name) { return g_dir + "/" + name; }
std::string torch_file(const std::string& name) { return g_torch_dir + "/" + name; }

bool skip_without_torch() {
  if (!g_torch_dir.empty()) return false;
  std::cout << "skipped: no Python with torch/torchvision (install python3-torchvision)" << std::endl;
  return true;
}

// The status and message of the s4seg::Error `body` throws; Status::Ok when it throws nothing.
template <typename Fn>
std::pair<Status, std::string> outcome(Fn body) {
  try {
    body();
  } catch (const Error& e) {
    return {e.status(), e.what()};
  }
  return {Status::Ok, ""};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> safetensors_file(const std::string& header, const std::vector<uint8_t>& data, uint64_t declared) {
  std::vector<uint8_t> b;
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(declared >> (8 * i)));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
std::vector<uint8_t> safetensors_file(const std::string& header, const std::vector<uint8_t>& data) {
  return safetensors_file(header, data, header.size());
}

bool same_bits(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  torch::Tensor ca = a.contiguous(), cb = b.contiguous();
  size_t n = static_cast<size_t>(ca.numel()) * ca.element_size();
  return n == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), n) == 0;
}

bool is_plain_cpu(const torch::Tensor& t) { return t.device().is_cpu() && t.is_contiguous(); }

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(line);
  return lines;
}

// `got` (read from a torch.save file) has exactly the tensors of NAME_ref.safetensors, bit for bit,
// in the order of NAME_names.txt (the Python side's state-dict order and len()).
void assert_matches_reference(const std::vector<NamedTensor>& got, const std::string& name) {
  std::vector<std::string> names = read_lines(torch_file(name + "_names.txt"));
  std::vector<NamedTensor> ref = read_safetensors(torch_file(name + "_ref.safetensors"));
  assert_int_equal(got.size(), names.size());
  assert_int_equal(ref.size(), names.size());
  std::map<std::string, torch::Tensor> by_name;
  for (const NamedTensor& r : ref) by_name[r.name] = r.tensor;
  for (size_t i = 0; i < got.size(); ++i) {
    assert_string_equal(got[i].name.c_str(), names[i].c_str());
    assert_true(by_name.count(got[i].name) == 1);
    assert_true(is_plain_cpu(got[i].tensor));
    if (!same_bits(got[i].tensor, by_name[got[i].name])) {
      std::cout << "tensor '" << got[i].name << "' differs from the reference" << std::endl;
      assert_true(false);
    }
  }
}

// --- safetensors -------------------------------------------------------------------------------

void safetensors_round_trip_is_bit_exact(void**) {
  torch::manual_seed(3);
  std::vector<NamedTensor> in = {
      {"conv.weight", torch::randn({2, 3, 4, 5})},
      {"bn.num_batches_tracked", torch::tensor(int64_t(12345678901))},  // 0-d int64
      {"a.bf16", torch::randn({7}).to(torch::kBFloat16)},
      {"a.half", torch::randn({3, 2}).to(torch::kHalf)},
      {"b.double", torch::randn({4}, torch::kDouble)},
      {"c.long", torch::tensor({int64_t(1) << 50, int64_t(-7), int64_t(0)})},
      {"c.int", torch::arange(-3, 3, torch::kInt)},
      {"c.short", torch::arange(-3, 3, torch::kShort)},
      {"c.char", torch::arange(-3, 3, torch::kChar)},
      {"c.byte", torch::arange(250, 256, torch::kInt).to(torch::kByte)},
      {"d.bool", torch::tensor({true, false, true})},
      {"e.transposed", torch::randn({3, 6}).slice(0, 1, 3).t()},  // non-contiguous, offset
      {"f.empty", torch::zeros({0, 3})},
      {"g.scalar", torch::tensor(-0.0f)},
  };
  assert_false(in[11].tensor.is_contiguous());
  std::string path = in_dir("round.safetensors");
  write_safetensors(path, in);

  std::vector<uint8_t> bytes = read_file(path);
  uint64_t header = 0;
  for (int i = 7; i >= 0; --i) header = (header << 8) | bytes[i];
  assert_int_equal(header % 8, 0);  // padded like the reference writer

  std::vector<NamedTensor> out = read_safetensors(path);
  assert_int_equal(out.size(), in.size());
  std::map<std::string, torch::Tensor> by_name;
  for (const NamedTensor& nt : in) by_name[nt.name] = nt.tensor;
  auto expected = by_name.begin();  // data and header are in name order
  for (const NamedTensor& nt : out) {
    assert_string_equal(nt.name.c_str(), expected->first.c_str());
    assert_true(is_plain_cpu(nt.tensor));
    assert_true(same_bits(nt.tensor, expected->second));
    ++expected;
  }
  assert_true(std::signbit(out.back().tensor.item<float>()));  // "g.scalar" kept -0.0

  // Content, not the name, picks the reader.
  std::string renamed = in_dir("round.pth");
  write_file_atomic(renamed, bytes);
  assert_int_equal(read_weight_file(renamed).size(), in.size());

  // No temporary left next to the file.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(g_dir))
    files += e.path().filename().string().rfind("round.safetensors", 0) == 0;
  assert_int_equal(files, 1);
}

void safetensors_writer_refuses_bad_input(void**) {
  std::string path = in_dir("bad_write.safetensors");
  ASSERT_THROWS_STATUS(write_safetensors(path, {{"x", torch::ones({2})}, {"x", torch::ones({2})}}),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(write_safetensors(path, {{"__metadata__", torch::ones({2})}}), Status::InvalidArgument);
  auto r = outcome([&] { write_safetensors(path, {{"z", torch::zeros({2}, torch::kComplexFloat)}}); });
  assert_true(r.first == Status::Unsupported && contains(r.second, "'z'"));
  ASSERT_THROWS_STATUS(write_safetensors("/nonexistent/dir/w.safetensors", {{"x", torch::ones({1})}}), Status::Io);
  assert_false(std::filesystem::exists(path));
}

void safetensors_reader_rejects_malformed_files(void**) {
  const std::string path = in_dir("bad.safetensors");
  auto status_of = [&](const std::vector<uint8_t>& bytes) {
    write_bytes(path, bytes);
    auto r = outcome([&] { read_safetensors(path); });
    if (r.first != Status::Ok) assert_true(contains(r.second, path));
    return r.first;
  };
  const std::vector<uint8_t> eight(8, 1);
  const std::string good = R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  assert_true(status_of(safetensors_file(good, eight)) == Status::Ok);
  assert_true(status_of(safetensors_file("{not json", eight)) == Status::Format);
  assert_true(status_of(safetensors_file("[1,2]", eight)) == Status::Format);
  assert_true(status_of(safetensors_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", {1, 2, 3, 4})) ==
              Status::Format);  // offsets past the end
  assert_true(status_of(safetensors_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight)) ==
              Status::Format);  // shape does not match the byte count
  assert_true(status_of(safetensors_file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight)) ==
              Status::Format);
  assert_true(status_of(safetensors_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", eight)) ==
              Status::Format);
  const std::string overlapping = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  assert_true(status_of(safetensors_file(overlapping, std::vector<uint8_t>(12, 0))) == Status::Format);
  assert_true(status_of(safetensors_file(R"({"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", {1, 7})) ==
              Status::Format);  // a bool that is not 0/1
  assert_true(status_of(safetensors_file(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", eight)) == Status::Format);
  assert_true(status_of(safetensors_file(good, eight, 200ull << 20)) == Status::Format);  // absurd header length
  assert_true(status_of(safetensors_file(good, eight, good.size() + 100)) == Status::Format);  // longer than the file
  assert_true(status_of({1, 2, 3}) == Status::Format);
  auto unsupported = outcome([&] {
    write_bytes(path, safetensors_file(R"({"zz":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", eight));
    read_safetensors(path);
  });
  assert_true(unsupported.first == Status::Unsupported && contains(unsupported.second, "'zz'"));

  // Truncated anywhere: Format, never a crash.
  std::vector<uint8_t> whole = safetensors_file(good, eight);
  for (size_t n = 0; n < whole.size(); ++n) {
    Status s = status_of(std::vector<uint8_t>(whole.begin(), whole.begin() + n));
    if (s != Status::Format) std::cout << "truncated at " << n << ": status " << static_cast<int>(s) << std::endl;
    assert_true(s == Status::Format);
  }
}

void missing_files_are_io_errors(void**) {
  const std::string missing = in_dir("does-not-exist.pth");
  for (auto reader : {read_safetensors, read_torch_state_dict, read_weight_file}) {
    auto r = outcome([&] { reader(missing); });
    assert_true(r.first == Status::Io && contains(r.second, missing));
  }
  write_bytes(in_dir("text.txt"), {'h', 'e', 'l', 'l', 'o', '\n'});
  ASSERT_THROWS_STATUS(read_weight_file(in_dir("text.txt")), Status::Format);
  ASSERT_THROWS_STATUS(read_torch_state_dict(in_dir("text.txt")), Status::Format);
}

// --- torch.save files --------------------------------------------------------------------------

void torchvision_resnet18_zip_matches_python(void**) {
  if (skip_without_torch()) skip();
  std::vector<NamedTensor> got = read_torch_state_dict(torch_file("resnet18.pth"));
  assert_int_equal(got.size(), 122);  // torchvision's resnet18: 62 parameters + 60 BN buffers
  assert_string_equal(got.front().name.c_str(), "conv1.weight");
  assert_true(got.front().tensor.sizes() == torch::IntArrayRef({64, 3, 7, 7}));
  assert_true(got[5].name == "bn1.num_batches_tracked" && got[5].tensor.scalar_type() == torch::kLong);
  assert_matches_reference(got, "resnet18");
}

void legacy_format_matches_python(void**) {
  if (skip_without_torch()) skip();
  assert_matches_reference(read_torch_state_dict(torch_file("resnet18_legacy.pth")), "resnet18");
  assert_matches_reference(read_weight_file(torch_file("plain_legacy.pth")), "plain");
}

void plain_dict_with_views_and_fp16_matches_python(void**) {
  if (skip_without_torch()) skip();
  std::vector<NamedTensor> got = read_weight_file(torch_file("plain.pth"));
  assert_matches_reference(got, "plain");
  assert_true(got[0].name == "view" && got[0].tensor.sizes() == torch::IntArrayRef({8, 4}));
  assert_true(got[1].name == "half" && got[1].tensor.scalar_type() == torch::kHalf);
  assert_true(got[2].tensor.scalar_type() == torch::kBFloat16);
  assert_true(got[5].name == "scalar" && got[5].tensor.dim() == 0);
  assert_true(got[8].name == "row1" && got[8].tensor[0].item<int>() == 6);  // second view of a shared storage
}

void nested_checkpoint_state_dict_matches_python(void**) {
  if (skip_without_torch()) skip();
  assert_matches_reference(read_torch_state_dict(torch_file("checkpoint.pth")), "checkpoint");
}

void whole_modules_and_complex_tensors_are_unsupported(void**) {
  if (skip_without_torch()) skip();
  auto module = outcome([&] { read_torch_state_dict(torch_file("module.pth")); });
  assert_true(module.first == Status::Unsupported && contains(module.second, "torch.nn.modules.linear.Linear"));
  auto complex = outcome([&] { read_torch_state_dict(torch_file("complex.pth")); });
  assert_true(complex.first == Status::Unsupported && contains(complex.second, "'z'"));
}

// Every truncation and the corruptions below must give Format with the path, never a crash.
void damaged_torch_files_are_format_errors(void**) {
  if (skip_without_torch()) skip();
  const std::string path = in_dir("damaged.pth");
  auto expect_format = [&](const std::vector<uint8_t>& bytes, const char* what, size_t at) {
    write_bytes(path, bytes);
    auto r = outcome([&] { read_weight_file(path); });
    if (r.first != Status::Format || !contains(r.second, path)) {
      std::cout << what << " at " << at << ": status " << static_cast<int>(r.first) << " " << r.second << std::endl;
      assert_true(false);
    }
  };
  // Every length of the legacy file; for the zip every 3rd, and every one in its central directory.
  for (const char* name : {"plain.pth", "plain_legacy.pth"}) {
    std::vector<uint8_t> whole = read_file(torch_file(name));
    const size_t tail = std::string(name) == "plain.pth" ? whole.size() - 1000 : 0;
    for (size_t n = 0; n < whole.size(); n += n < tail ? 3 : 1)
      expect_format({whole.begin(), whole.begin() + n}, name, n);
  }
  std::vector<uint8_t> big = read_file(torch_file("resnet18.pth"));
  for (size_t n : {big.size() / 2, big.size() - 23}) expect_format({big.begin(), big.begin() + n}, "resnet18.pth", n);

  std::vector<uint8_t> zip = read_file(torch_file("plain.pth"));
  std::vector<uint8_t> bad = zip;
  bad[bad.size() - 22] ^= 0xff;  // end-of-central-directory signature
  expect_format(bad, "EOCD signature flipped", bad.size() - 22);
  const std::string pkl = "data.pkl";
  size_t name_at = std::search(zip.begin(), zip.end(), pkl.begin(), pkl.end()) - zip.begin();
  size_t proto_at = std::find(zip.begin() + name_at, zip.end(), 0x80) - zip.begin();  // data.pkl's PROTO opcode
  bad = zip;
  bad[proto_at] = 0xff;
  expect_format(bad, "pickle opcode replaced", proto_at);

  std::vector<uint8_t> legacy = read_file(torch_file("plain_legacy.pth"));
  legacy[4] ^= 0x01;  // inside the magic number
  expect_format(legacy, "magic number changed", 4);
}

// --- fixture -----------------------------------------------------------------------------------

int set_up(void**) {
  const char* base = std::getenv("S4SEG_TEST_TMP");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/weight_file_XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return -1;
  g_dir = buf.data();
  const char* python = std::getenv("S4SEG_TORCH_PYTHON");
  g_python = python ? python : "";
  if (g_python.empty()) return 0;
  std::string out = in_dir("torch");
  std::filesystem::create_directory(out);
  std::string cmd = "'" + g_python + "' '" S4SEG_TEST_DATA_DIR "/write_torch_weights.py' '" + out + "'";
  if (std::system(cmd.c_str()) != 0) {
    std::cout << "write_torch_weights.py failed: " << cmd << std::endl;
    return -1;
  }
  g_torch_dir = out;
  return 0;
}

int tear_down(void**) {
  const char* keep = std::getenv("S4SEG_TEST_KEEP");
  if (!g_dir.empty() && !(keep && std::string(keep) == "1")) std::filesystem::remove_all(g_dir);
  return 0;
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(safetensors_round_trip_is_bit_exact),
      cmocka_unit_test(safetensors_writer_refuses_bad_input),
      cmocka_unit_test(safetensors_reader_rejects_malformed_files),
      cmocka_unit_test(missing_files_are_io_errors),
      cmocka_unit_test(torchvision_resnet18_zip_matches_python),
      cmocka_unit_test(legacy_format_matches_python),
      cmocka_unit_test(plain_dict_with_views_and_fp16_matches_python),
      cmocka_unit_test(nested_checkpoint_state_dict_matches_python),
      cmocka_unit_test(whole_modules_and_complex_tensors_are_unsupported),
      cmocka_unit_test(damaged_torch_files_are_format_errors),
  };
  return cmocka_run_group_tests(tests, set_up, tear_down);
}

// With identical weights, the s4seg ResNet encoder's stage outputs match torchvision's (fp32, CPU,
// max abs difference < 1e-4) for every depth offered: resnet18, 34, 50 and 101. The weights and
// reference outputs are written at test time by Debian's python3-torchvision (tests/data/write_resnet_reference.py) and
// read back through the library's own torch.save reader and encoder loader.
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "io/weight_file.h"
#include "models/model.h"
#include "models/pretrained.h"
#include "models/resnet.h"
#include "unit_test.h"

namespace {
std::string g_dir;
bool g_have_python = false;

std::string python() {
  const char* p = std::getenv("S4SEG_TORCH_PYTHON");
  return p ? p : "";
}

int setup(void**) {
  const char* tmp = std::getenv("S4SEG_TEST_TMP");
  g_dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/parity_" + std::to_string(getpid());
  if (python().empty()) {
    std::cout << "skipped: no Python with torch/torchvision (install python3-torchvision to run the parity test)\n";
    return 0;
  }
  const std::string cmd = "mkdir -p '" + g_dir + "' && '" + python() + "' '" S4SEG_TEST_DATA_DIR
                          "/write_resnet_reference.py' '" + g_dir + "' resnet18 resnet34 resnet50 resnet101";
  g_have_python = std::system(cmd.c_str()) == 0;
  return g_have_python ? 0 : -1;
}

int teardown(void**) {
  if (!g_dir.empty() && !std::getenv("S4SEG_TEST_KEEP")) std::system(("rm -rf '" + g_dir + "'").c_str());
  return 0;
}

std::map<std::string, torch::Tensor> read_reference(const std::string& depth) {
  std::map<std::string, torch::Tensor> ref;
  for (auto& nt : s4seg::read_weight_file(g_dir + "/" + depth + "_ref.pth")) ref[nt.name] = nt.tensor;
  return ref;
}

std::shared_ptr<s4seg::Model> model_with_weights(const std::string& depth, int64_t output_stride) {
  s4seg::Config c;
  c.set_string("device", "cpu");
  c.set_string("model.backbone", depth);
  c.set_int("model.output_stride", output_stride);
  c.set_string("model.pretrained", g_dir + "/" + depth + ".pth");
  return s4seg::create_model(c);
}

s4seg::ResNetImpl& encoder(s4seg::Model& m) {
  auto children = m.net->named_children();
  auto* r = children["backbone"]->as<s4seg::ResNetImpl>();
  assert_non_null(r);
  return *r;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  assert_true(a.sizes() == b.sizes());
  return (a - b).abs().max().item<double>();
}

void check_depth(const std::string& depth) {
  if (!g_have_python) skip();
  torch::NoGradGuard ng;
  std::map<std::string, torch::Tensor> ref = read_reference(depth);
  const torch::Tensor x = ref.at("input");
  const char* names[] = {"stem", "layer1", "layer2", "layer3", "layer4"};

  // Output stride 32 is torchvision's own layout: the loaded weights go into an undilated encoder.
  auto m16 = model_with_weights(depth, 16);
  m16->net->eval();
  s4seg::ResNetOptions o32;
  o32.depth = depth;
  o32.output_stride = 32;
  s4seg::ResNet r32(o32);
  r32->eval();
  auto src = encoder(*m16).named_parameters(), dst = r32->named_parameters();
  for (auto& kv : dst) kv.value().copy_(src[kv.key()]);
  auto srcb = encoder(*m16).named_buffers(), dstb = r32->named_buffers();
  for (auto& kv : dstb) kv.value().copy_(srcb[kv.key()]);
  std::vector<torch::Tensor> got = r32->stages(x);
  for (size_t i = 0; i < 5; ++i) {
    const double d = max_abs_diff(got[i], ref.at(std::string("os32.") + names[i]));
    std::cout << depth << " os32 " << names[i] << " " << c10::str(got[i].sizes()) << " max |diff| " << d << "\n";
    assert_true(d < 1e-4);
  }
  // The comparison can fail: one running mean off by 0.01 shows in layer4.
  r32->named_buffers()["layer3.0.bn1.running_mean"][0] += 0.01;
  const double off = max_abs_diff(r32->stages(x)[4], ref.at("os32.layer4"));
  std::cout << depth << " os32 layer4 after nudging one BN mean: max |diff| " << off << "\n";
  assert_true(off > 1e-4);
  if (!ref.count("os16.layer4")) return;  // torchvision cannot dilate basic blocks
  std::vector<torch::Tensor> g16 = encoder(*m16).stages(x);
  const double d16 = max_abs_diff(g16[4], ref.at("os16.layer4"));
  std::cout << depth << " os16 layer4 max |diff| " << d16 << "\n";
  assert_true(d16 < 1e-4);
  auto m8 = model_with_weights(depth, 8);
  m8->net->eval();
  std::vector<torch::Tensor> g8 = encoder(*m8).stages(x);
  for (int i : {3, 4}) {
    const double d = max_abs_diff(g8[static_cast<size_t>(i)], ref.at(std::string("os8.") + names[i]));
    std::cout << depth << " os8 " << names[i] << " max |diff| " << d << "\n";
    assert_true(d < 1e-4);
  }
}

void resnet18_matches_torchvision(void**) { check_depth("resnet18"); }
void resnet34_matches_torchvision(void**) { check_depth("resnet34"); }
void resnet50_matches_torchvision(void**) { check_depth("resnet50"); }
void resnet101_matches_torchvision(void**) { check_depth("resnet101"); }

// The torchvision file loads strictly (fc.* skipped); a model of another depth or width is refused
// with the offending names and keeps its weights.
void torchvision_file_loads_strictly_and_wrong_models_are_refused(void**) {
  if (!g_have_python) skip();
  auto m = model_with_weights("resnet18", 16);
  assert_true(m->backbone_report.find("skipped the classifier (fc.weight, fc.bias)") != std::string::npos);
  s4seg::Config c;
  c.set_string("device", "cpu");
  c.set_string("model.backbone", "resnet34");
  auto other = s4seg::create_model(c);
  torch::Tensor before = other->net->named_parameters()["backbone.conv1.weight"].clone();
  try {
    s4seg::load_backbone_file(*other, g_dir + "/resnet50.pth", false);
    fail_msg("resnet50 weights loaded into a resnet34");
  } catch (const s4seg::Error& e) {
    assert_int_equal(static_cast<int>(e.status()), static_cast<int>(s4seg::Status::Format));
    const std::string msg = e.what();
    std::cout << msg.substr(0, 300) << "...\n";
    assert_true(msg.find("shape mismatch: layer1.0.conv1.weight") != std::string::npos);
    assert_true(msg.find("not in the encoder: layer1.0.conv3.weight") != std::string::npos);
  }
  assert_true(torch::equal(before, other->net->named_parameters()["backbone.conv1.weight"]));
}
}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resnet18_matches_torchvision),
      cmocka_unit_test(resnet34_matches_torchvision),
      cmocka_unit_test(resnet50_matches_torchvision),
      cmocka_unit_test(resnet101_matches_torchvision),
      cmocka_unit_test(torchvision_file_loads_strictly_and_wrong_models_are_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

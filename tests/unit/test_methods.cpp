// The method registry: built-in descriptors and their capabilities, a method added by registration
// alone (tests/unit/methods/toy_method.cpp) trained end to end, and pcr's prototype bank under
// gradient accumulation.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "data/dataset.h"
#include "methods/method_registry.h"
#include "io/records.h"
#include "models/model.h"
#include "s4seg/s4seg.h"
#include "train/trainer.h"
#include "unit_test.h"

namespace s4seg {
MethodDescriptor toy_method();  // tests/unit/methods/toy_method.cpp
}

using namespace s4seg;

static Config tiny_config(const std::string& extra) {
  Config c;
  c.parse(
      "device = cpu\nmodel.num_classes = 3\nmodel.backbone = resnet18\nmodel.width = 8\nmodel.aspp_channels = 16\n"
      "model.low_level_channels = 8\nmodel.dropout = 0\nmodel.discriminator_width = 4\ntrain.iters = 4\n"
      "train.batch_size = 2\ntrain.crop_size = 32\ntrain.workers = 0\ntrain.threads = 1\n");
  c.parse(extra);
  return c;
}

static void builtin_methods_describe_themselves(void**) {
  const std::vector<MethodDescriptor> all = registered_methods();
  assert_true(all.size() >= 6);
  const char* builtin[] = {"supervised", "fixmatch", "pcr", "css", "rrn", "rc2l"};
  for (size_t i = 0; i < 6; ++i) {
    assert_string_equal(all[i].name.c_str(), builtin[i]);
    assert_false(all[i].summary.empty());
    assert_true(static_cast<bool>(all[i].make));
    assert_int_equal(all[i].uses_unlabeled, i != 0);
  }
  assert_int_equal(find_method("rrn").model.branches, 2);
  assert_string_equal(find_method("rc2l").model.head.c_str(), "mask");
  assert_true(find_method("css").model.representation);
  assert_false(find_method("rrn").skips_on_device);
  assert_true(find_method("fixmatch").skips_on_device);
  ASSERT_THROWS_STATUS(find_method("nope"), Status::Unsupported);
  assert_true(is_registered_method("rc2l"));
  assert_false(is_registered_method("nope"));
  assert_string_equal(method_names(", ", [](const MethodDescriptor& d) { return d.skips_on_device; }).c_str(),
                      "supervised, fixmatch, pcr, css");

  // The model keys a method needs are written where they say auto, and kept where the user chose.
  Config c = tiny_config("train.method = rrn\n");
  apply_method_model_defaults(c);
  assert_int_equal(c.get_int("model.branches"), 2);
  assert_string_equal(c.get_string("model.discriminator").c_str(), "patch");
  assert_string_equal(c.get_string("model.head").c_str(), "deeplab");
  assert_int_equal(c.get_int("model.rep_dim"), 0);
  Config own = tiny_config("train.method = rrn\nmodel.discriminator = image\n");
  apply_method_model_defaults(own);
  assert_string_equal(own.get_string("model.discriminator").c_str(), "image");
}

// What a host sees of the registry through the C API.
static void c_api_enumerates_methods(void**) {
  const size_t n = s4seg_method_count();
  assert_true(n >= 6);
  size_t needed = 0;
  assert_int_equal(s4seg_method_name(2, nullptr, 0, &needed), S4SEG_BUFFER_TOO_SMALL);
  assert_int_equal(needed, 4u);  // "pcr" and its NUL
  char name[16];
  assert_int_equal(s4seg_method_name(2, name, sizeof name, &needed), S4SEG_OK);
  assert_string_equal(name, "pcr");
  uint32_t flags = 0;
  assert_int_equal(s4seg_method_flags(0, &flags), S4SEG_OK);
  assert_int_equal(flags & S4SEG_METHOD_USES_UNLABELED, 0);
  assert_int_equal(s4seg_method_flags(4, &flags), S4SEG_OK);  // rrn
  assert_int_equal(flags & (S4SEG_METHOD_USES_UNLABELED | S4SEG_METHOD_SKIPS_ON_DEVICE), S4SEG_METHOD_USES_UNLABELED);
  assert_int_equal(s4seg_method_summary(n, name, sizeof name, &needed), S4SEG_INVALID_ARGUMENT);
  assert_int_equal(s4seg_method_flags(0, nullptr), S4SEG_INVALID_ARGUMENT);
  assert_int_equal(s4seg_method_flags(n, &flags), S4SEG_INVALID_ARGUMENT);
  assert_int_equal(s4seg_method_name(n, name, sizeof name, nullptr), S4SEG_INVALID_ARGUMENT);
  assert_non_null(strstr(s4seg_last_error(), "out of range"));

  s4seg_config* cfg = nullptr;
  assert_int_equal(s4seg_config_create(&cfg), S4SEG_OK);
  assert_int_equal(s4seg_config_set_string(cfg, "train.method", "fixmatch"), S4SEG_OK);
  assert_int_equal(s4seg_config_set(cfg, "train.method", "nope"), S4SEG_INVALID_ARGUMENT);
  assert_non_null(strstr(s4seg_last_error(), "supervised, fixmatch, pcr, css, rrn, rc2l"));
  assert_int_equal(s4seg_config_parse(cfg, "train.lr = 0.5\ntrain.method = nope\n"), S4SEG_INVALID_ARGUMENT);
  double lr = 0;
  assert_int_equal(s4seg_config_get_double(cfg, "train.lr", &lr), S4SEG_OK);
  assert_true(lr != 0.5);  // all-or-nothing
  size_t len = 0;
  char method[32];
  assert_int_equal(s4seg_config_get_string(cfg, "train.method", method, sizeof method, &len), S4SEG_OK);
  assert_string_equal(method, "fixmatch");
  s4seg_config_free(cfg);
}

// The toy method is known to nothing but its own file and the one registration line below; the
// trainer, model creation, the capabilities checks and the C API all find it.
static void a_registered_method_needs_no_other_edit(void**) {
  if (!is_registered_method("toy")) register_method(toy_method());  // the registration line
  ASSERT_THROWS_STATUS(register_method(toy_method()), Status::InvalidArgument);
  assert_true(is_registered_method("toy"));
  assert_int_equal(s4seg_method_count(), registered_methods().size());

  s4seg_config* cfg = nullptr;
  assert_int_equal(s4seg_config_create(&cfg), S4SEG_OK);
  assert_int_equal(s4seg_config_set_string(cfg, "train.method", "toy"), S4SEG_OK);
  s4seg_config_free(cfg);

  Config c = tiny_config("train.method = toy\n");
  std::shared_ptr<Model> model = create_method_model(c);
  assert_int_equal(model->net->discriminator_count(), 1);  // its model default reached models/
  assert_string_equal(model->config.get_string("model.discriminator").c_str(), "image");

  auto labeled = std::make_shared<Dataset>();
  labeled->add_synthetic(4, 32, 32, 3, 7);
  auto unlabeled = std::make_shared<Dataset>();
  unlabeled->add_synthetic(4, 32, 32, 3, 8);
  ASSERT_THROWS_STATUS(Trainer(model, labeled, nullptr, c), Status::InvalidArgument);  // uses_unlabeled
  Config queued = c;
  queued.set_int("train.read_every", 2);
  ASSERT_THROWS_STATUS(Trainer(model, labeled, unlabeled, queued), Status::InvalidArgument);  // skips_on_device

  Trainer trainer(model, labeled, unlabeled, c);
  TrainStats stats;
  trainer.step(4, stats, nullptr);
  assert_int_equal(trainer.iteration(), 4);
  assert_true(std::any_of(stats.metrics.begin(), stats.metrics.end(),
                          [](const std::pair<std::string, double>& m) { return m.first == "loss/entropy"; }));
  assert_true(std::isfinite(stats.loss));
}

// Model files of 0.2 stored the architecture keys a method needs as "auto" (model.branches = 0,
// model.discriminator = auto) and let train.method decide at load time. Loaded with the registry's
// resolver they rebuild the method's model; without it they would give the plain model (one branch,
// no discriminators: the other tensors of the file left unread).
static void a_file_with_auto_architecture_keys_loads_as_the_method_model(void**) {
  Config c = tiny_config("train.method = rrn\n");
  std::shared_ptr<Model> rrn = create_method_model(c);
  assert_int_equal(rrn->net->branches(), 2);
  Records records;
  write_model_records(*rrn, records);
  Config stored = rrn->config;
  stored.set_int("model.branches", 0);
  stored.set_string("model.discriminator", "auto");
  stored.set_int("model.rep_dim", -1);
  stored.set_string("model.head", "auto");
  records["config"] = stored.to_text();
  std::shared_ptr<Model> loaded = model_from_records(records, "cpu", "a 0.2 file", apply_method_model_defaults);
  assert_int_equal(loaded->net->branches(), 2);
  assert_int_equal(loaded->net->discriminator_count(), 2);
  assert_true(torch::equal(loaded->net->parameters().back(), rrn->net->parameters().back()));
  assert_int_equal(model_from_records(records, "cpu", "a 0.2 file", nullptr)->net->branches(), 1);
}

// pcr with train.grad_accumulation: every micro-batch's features move the prototype bank, so two
// half batches leave it where one whole batch of the same images does.
namespace {
Batch make_batch(int64_t b, uint64_t seed) {
  torch::manual_seed(seed);
  Batch x;
  x.images = torch::randn({b, 3, 16, 16});
  x.masks = torch::randint(0, 3, {b, 16, 16}, torch::kLong);
  x.valid = torch::ones({b, 16, 16}, torch::kBool);
  return x;
}

Batch rows(const Batch& x, int64_t start, int64_t n) {
  return Batch{x.images.narrow(0, start, n), x.masks.narrow(0, start, n), x.valid.narrow(0, start, n)};
}

// The bank after an initialising step on the whole batch, then one iteration given as the
// micro-batches `parts` (row ranges of the same batch).
std::vector<torch::Tensor> pcr_bank(const std::vector<std::pair<int64_t, int64_t>>& parts) {
  // Every grid cell is one pixel (no random sampling), nothing is mixed or filtered, BatchNorm
  // uses its running statistics: the features of a pixel do not depend on its micro-batch.
  Config c = tiny_config(
      "train.method = pcr\ntrain.sup_only_iters = 0\nmix.type = none\npseudo.filter = threshold\npseudo.threshold = 0\n"
      "proto.grid = 1024\nproto.init = first_batch\nproto.confidence = 0\n");
  std::shared_ptr<Model> model = create_method_model(c);
  std::unique_ptr<Method> method = make_method(c, model);
  for (SegmentationNetImpl* net : method->state().nets) net->set_batchnorm_frozen(true);
  const Batch labeled = make_batch(4, 1), unlabeled = make_batch(4, 2);
  StepInputs in;
  in.labeled = labeled;
  in.unlabeled = unlabeled;
  in.total_iterations = 4;
  method->step(in);
  method->after_step(0, {});
  in.iteration = 1;
  for (size_t k = 0; k < parts.size(); ++k) {
    StepInputs part = in;
    part.labeled = rows(labeled, parts[k].first, parts[k].second);
    part.unlabeled = rows(unlabeled, parts[k].first, parts[k].second);
    part.micro_batch = static_cast<int64_t>(k);
    method->step(part);
  }
  method->after_step(1, {});
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : method->state().rank0) out.push_back(t.clone());
  return out;
}
}  // namespace

static void pcr_bank_moves_with_every_micro_batch(void**) {
  const std::vector<torch::Tensor> whole = pcr_bank({{0, 4}});
  const std::vector<torch::Tensor> halves = pcr_bank({{0, 2}, {2, 2}});
  const std::vector<torch::Tensor> last_half = pcr_bank({{2, 2}});  // what the bank saw before the fix
  assert_true(whole[1].all().item<bool>());  // every class initialised
  assert_true(torch::allclose(whole[0], halves[0], 1e-4, 1e-5));
  assert_false(torch::allclose(whole[0], last_half[0], 1e-4, 1e-5));
}

int main() {
  const struct CMUnitTest tests[] = {cmocka_unit_test(builtin_methods_describe_themselves),
                                     cmocka_unit_test(c_api_enumerates_methods),
                                     cmocka_unit_test(a_registered_method_needs_no_other_edit),
                                     cmocka_unit_test(a_file_with_auto_architecture_keys_loads_as_the_method_model),
                                     cmocka_unit_test(pcr_bank_moves_with_every_micro_batch)};
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

// The trainer's guards: a non-finite loss stops the step with Status::Diverged before the update,
// leaving iteration count and weights exactly as they were (with train.read_every > 1 the same
// happens on the device and is reported at the next read); process-wide settings come back as the
// host had them.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "data/dataset.h"
#include "methods/method_registry.h"
#include "io/container.h"
#include "io/records.h"
#include "models/model.h"
#include "train/trainer.h"
#include "unit_test.h"

using namespace s4seg;

static Config tiny_config() {
  Config c;
  c.parse(
      "device = cpu\nmodel.num_classes = 3\nmodel.backbone = resnet18\nmodel.width = 8\n"
      "model.aspp_channels = 16\nmodel.low_level_channels = 8\ntrain.iters = 10\ntrain.batch_size = 2\n"
      "train.crop_size = 32\ntrain.workers = 0\ntrain.threads = 1\n");
  return c;
}

static void nan_loss_is_diverged_and_nothing_changes(void**) {
  Config c = tiny_config();
  std::shared_ptr<Model> model = create_method_model(c);
  auto data = std::make_shared<Dataset>();
  data->add_synthetic(4, 32, 32, 3, 7);
  Trainer trainer(model, data, nullptr, c);
  TrainStats stats;
  trainer.step(1, stats, nullptr);  // one good step first: momentum buffers exist

  // Poison the classifier bias: every logit, and so the loss, becomes NaN.
  torch::Tensor bias;
  for (auto& kv : model->net->named_parameters())
    if (kv.key() == "decoder.classifier.bias") bias = kv.value();
  assert_true(bias.defined());
  {
    torch::NoGradGuard ng;
    bias.fill_(std::numeric_limits<float>::quiet_NaN());
  }
  std::vector<torch::Tensor> before;
  for (auto& p : model->net->parameters()) before.push_back(p.detach().clone());

  ASSERT_THROWS_STATUS(trainer.step(3, stats, nullptr), Status::Diverged);
  assert_int_equal(trainer.iteration(), 1);
  assert_int_equal(stats.iteration, 1);
  auto after = model->net->parameters();
  for (size_t i = 0; i < before.size(); ++i) assert_true(torch::equal(before[i].nan_to_num(), after[i].detach().nan_to_num()));
}

// Equal bit for bit, NaN where the other has NaN included.
static bool same_bits(const torch::Tensor& a, const torch::Tensor& b) {
  return torch::equal(a.isnan(), b.isnan()) && torch::equal(a.nan_to_num(0), b.nan_to_num(0));
}

static bool same_tensors(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i].detach(), b[i].detach())) return false;
  return true;
}

// Everything but the wall-clock share of waiting for data.
static std::vector<std::pair<std::string, double>> figures(const TrainStats& s) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& kv : s.metrics)
    if (kv.first != "data/wait_fraction") out.push_back(kv);
  return out;
}

struct Run {
  std::shared_ptr<Model> model;
  std::unique_ptr<Trainer> trainer;
  TrainStats stats;
  std::vector<std::pair<int64_t, double>> reports;  // (iteration, loss) at each progress callback
};

static Run make_run(const std::string& extra) {
  Config c = tiny_config();
  c.parse(extra);
  Run r;
  r.model = create_method_model(c);
  auto labeled = std::make_shared<Dataset>();
  labeled->add_synthetic(4, 32, 32, 3, 7);
  auto unlabeled = std::make_shared<Dataset>();
  unlabeled->add_synthetic(6, 32, 32, 3, 8);
  r.trainer = std::make_unique<Trainer>(r.model, labeled, unlabeled, c);
  return r;
}

static void step_with_reports(Run& r, int64_t n) {
  r.trainer->step(n, r.stats, [&r](const TrainStats& s) {
    r.reports.emplace_back(s.iteration, s.loss);
    return false;
  });
}

// Queued iterations run the same arithmetic: weights, buffers, the figures of every progress
// callback and of the whole call match reading each loss, for supervised, for fixmatch and pcr
// with an adaptive filter (state that moves inside the step), for css (a prototype bank that
// moves inside the step, pcr's after it), and with AdamW.
static void queued_iterations_train_exactly_like_reading_each(void**) {
  for (const std::string setting : {"train.method = supervised", "train.method = fixmatch", "train.method = pcr",
                                    "train.method = css", "train.method = fixmatch\ntrain.optimizer = adamw"}) {
    const std::string common = setting +
                               "\ntrain.log_every = 3\npseudo.filter = class_adaptive\npseudo.threshold = 0.5\n"
                               "pseudo.adaptive_momentum = 0.5\ntrain.workers = 0\n";
    Run each = make_run(common + "train.read_every = 1\n");
    Run queued = make_run(common + "train.read_every = 4\n");
    step_with_reports(each, 7);
    step_with_reports(queued, 7);
    assert_int_equal(queued.trainer->iteration(), 7);
    assert_true(same_tensors(each.model->net->parameters(), queued.model->net->parameters()));
    assert_true(same_tensors(each.model->net->buffers(), queued.model->net->buffers()));
    assert_true(each.reports == queued.reports);
    assert_int_equal(queued.reports.size(), 3);  // iterations 3, 6 and the last, 7
    assert_true(each.stats.loss == queued.stats.loss && std::isfinite(queued.stats.loss));
    assert_true(figures(each.stats) == figures(queued.stats));
    assert_false(figures(queued.stats).empty());
  }
}

// Poisons the gradient of one parameter at its `at`-th backward: that iteration's loss is finite
// but its update turns the weights to NaN, so the next iteration's loss is NaN.
static void poison_gradient_at(Model& model, int at) {
  auto count = std::make_shared<int>(0);
  model.net->parameters().front().register_hook([count, at](torch::Tensor g) {
    return ++*count == at ? g * std::numeric_limits<float>::quiet_NaN() : g;
  });
}

// A NaN among queued iterations: the host learns of it at the read, and the trainer is then where
// reading each loss would have left it: iteration 3 not applied, nor (here) 4 and 5.
static void nan_among_queued_iterations_rolls_back_to_before_it(void**) {
  Run each = make_run("train.read_every = 1\n");
  Run queued = make_run("train.read_every = 8\n");
  poison_gradient_at(*each.model, 3);
  poison_gradient_at(*queued.model, 3);
  ASSERT_THROWS_STATUS(each.trainer->step(6, each.stats, nullptr), Status::Diverged);
  std::string message;
  try {
    queued.trainer->step(6, queued.stats, nullptr);
  } catch (const Error& e) {
    assert_true(e.status() == Status::Diverged);
    message = e.what();
  }
  assert_true(message.find("at iteration 3") != std::string::npos);
  assert_true(message.find("nor those of the 2 iteration(s) queued after it") != std::string::npos);
  assert_int_equal(each.trainer->iteration(), 3);
  assert_int_equal(queued.trainer->iteration(), 3);
  assert_int_equal(queued.stats.iteration, 3);
  assert_true(each.stats.loss == queued.stats.loss && std::isfinite(queued.stats.loss));  // iterations 0..2
  // Parameters only: BatchNorm running statistics also took the forwards of 4 and 5 (documented).
  assert_true(same_tensors(each.model->net->parameters(), queued.model->net->parameters()));
  // The weights did turn to NaN at iteration 2's update, so there was something to protect.
  bool any_nan = false;
  for (const auto& p : queued.model->net->parameters()) any_nan = any_nan || p.isnan().any().item<bool>();
  assert_true(any_nan);
}

// Records of a checkpoint whose names contain `part`.
static Records checkpoint_records(const Trainer& trainer, const std::string& part) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/trainer_guard_XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  assert_true(fd >= 0);
  close(fd);
  const std::string path(name.data());
  trainer.save_checkpoint(path);
  ContainerKind kind;
  Records all = unpack_records(read_container(path, &kind), path);
  std::remove(path.c_str());
  Records out;
  for (const auto& kv : all)
    if (kv.first.find(part) != std::string::npos) out.insert(kv);
  return out;
}

// AdamW counts its steps on the host: after the read that finds the NaN, its step counts and
// moments are where reading each loss leaves them. (Supervised: with a teacher, the model's
// parameters are the teacher's, which no gradient reaches.)
static void nan_among_queued_iterations_rolls_back_adamw_step_counts(void**) {
  const std::string common = "train.method = supervised\ntrain.optimizer = adamw\ntrain.lr = 0.001\n";
  Run each = make_run(common + "train.read_every = 1\n");
  Run queued = make_run(common + "train.read_every = 8\n");
  poison_gradient_at(*each.model, 3);
  poison_gradient_at(*queued.model, 3);
  ASSERT_THROWS_STATUS(each.trainer->step(6, each.stats, nullptr), Status::Diverged);
  ASSERT_THROWS_STATUS(queued.trainer->step(6, queued.stats, nullptr), Status::Diverged);
  assert_int_equal(queued.trainer->iteration(), 3);
  const Records a = checkpoint_records(*each.trainer, "adam/"), b = checkpoint_records(*queued.trainer, "adam/");
  assert_true(a.size() > 3);
  assert_true(a == b);
  assert_true(same_tensors(each.model->net->parameters(), queued.model->net->parameters()));
}

static void read_every_needs_a_method_that_skips_on_the_device(void**) {
  ASSERT_THROWS_STATUS(make_run("train.read_every = 2\ntrain.method = rrn\n"), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(make_run("train.read_every = 2\ntrain.method = rc2l\n"), Status::InvalidArgument);
  Run ok = make_run("train.read_every = 2\ntrain.method = fixmatch\ntrain.optimizer = adamw\n");
  assert_int_equal(ok.trainer->iteration(), 0);
}

// train.threads holds LibTorch's (process-wide) pool only while a step runs.
static void a_step_puts_back_the_host_thread_count(void**) {
  at::set_num_threads(1);
  Config c = tiny_config();
  c.set_int("train.threads", 2);
  std::shared_ptr<Model> model = create_method_model(c);
  auto data = std::make_shared<Dataset>();
  data->add_synthetic(4, 32, 32, 3, 7);
  Trainer trainer(model, data, nullptr, c);
  assert_int_equal(at::get_num_threads(), 1);
  int during = 0;
  TrainStats stats;
  trainer.step(1, stats, [&during](const TrainStats&) {
    during = at::get_num_threads();
    return false;
  });
  assert_int_equal(during, 2);
  assert_int_equal(at::get_num_threads(), 1);
}

int main() {
  const struct CMUnitTest tests[] = {cmocka_unit_test(nan_loss_is_diverged_and_nothing_changes),
                                     cmocka_unit_test(queued_iterations_train_exactly_like_reading_each),
                                     cmocka_unit_test(nan_among_queued_iterations_rolls_back_to_before_it),
                                     cmocka_unit_test(nan_among_queued_iterations_rolls_back_adamw_step_counts),
                                     cmocka_unit_test(read_every_needs_a_method_that_skips_on_the_device),
                                     cmocka_unit_test(a_step_puts_back_the_host_thread_count)};
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

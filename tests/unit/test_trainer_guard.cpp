// The trainer's divergence guard: a non-finite loss stops the step with Status::Diverged before the
// update, leaving iteration count and weights exactly as they were.
#include "core/config.h"
#include "core/error.h"
#include "data/dataset.h"
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
  std::shared_ptr<Model> model = create_model(c);
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

int main() {
  const struct CMUnitTest tests[] = {cmocka_unit_test(nan_loss_is_diverged_and_nothing_changes)};
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

// Data parallel over c10d Gloo on loopback, and gradient accumulation. The test binary starts
// copies of itself ("--worker ...") as the ranks; each trains, writes a checkpoint and exits with
// the status it got (0 = ok). The parent compares the checkpoints: the ranks must hold identical
// state (weights, teacher, prototype banks, optimizer), and with frozen BatchNorm two ranks of
// batch B must reach the weights of one process with batch 2B.
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "dist/communicator.h"
#include "dist/gradient_reducer.h"
#include "data/dataset.h"
#include "methods/method_registry.h"
#include "infer/predictor.h"
#include "io/container.h"
#include "io/records.h"
#include "models/batch_norm.h"
#include "models/model.h"
#include "models/tensor_codec.h"
#include "train/trainer.h"
#include "unit_test.h"

using namespace s4seg;

extern char** environ;

namespace {

std::string tmp_dir() {
  const char* d = std::getenv("S4SEG_TEST_TMP");
  return d != nullptr && *d != '\0' ? d : "/tmp";
}

// Deterministic weak augmentation (no scale, no flip, crop = image) and no dropout, so that the
// only difference between the runs compared is how the batch is split.
Config recipe(const std::string& method, int64_t batch, const std::string& extra) {
  Config c;
  c.parse(
      "device = cpu\nmodel.num_classes = 3\nmodel.backbone = resnet18\nmodel.width = 8\nmodel.aspp_channels = 16\n"
      "model.low_level_channels = 8\nmodel.dropout = 0\nmodel.queries = 4\nmodel.mask_hidden = 16\nmodel.mask_layers = 1\n"
      "model.mask_heads = 2\nmodel.mask_ffn = 16\nmodel.discriminator_width = 8\ntrain.iters = 4\ntrain.crop_size = 32\n"
      "train.scale_min = 1\ntrain.scale_max = 1\ntrain.flip = false\ntrain.workers = 0\ntrain.threads = 1\ntrain.seed = 5\n"
      "train.lr = 0.05\ntrain.sup_only_iters = 0\n");
  c.set_string("train.method", method);
  c.set_int("train.batch_size", batch);
  c.set_int("train.unlabeled_batch_size", batch);
  c.parse(extra);
  return c;
}

// Trains `c` for train.iters on fixed synthetic data; writes a checkpoint to `path` unless it is
// empty. Returns the model and the stats of the run.
std::pair<std::shared_ptr<Model>, TrainStats> train_on_synthetic(const Config& c, const std::string& path) {
  std::shared_ptr<Model> model = create_method_model(c);
  auto labeled = std::make_shared<Dataset>();
  labeled->add_synthetic(8, 32, 32, 3, 7);
  auto unlabeled = std::make_shared<Dataset>();
  unlabeled->add_synthetic(8, 32, 32, 3, 8);
  Trainer trainer(model, labeled, unlabeled, c);
  TrainStats stats;
  trainer.step(c.get_int("train.iters"), stats, nullptr);
  if (!path.empty()) trainer.save_checkpoint(path);
  return {model, stats};
}

void train_and_save(const Config& c, const std::string& path) { train_on_synthetic(c, path); }

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// Starts one copy of this test binary per argument list (argv[0] is added) and returns each one's
// exit status (100 + the signal if one killed it).
std::vector<int> run_copies(const std::vector<std::vector<std::string>>& arg_lists) {
  std::vector<pid_t> pids;
  for (const auto& list : arg_lists) {
    std::vector<std::string> args{"unit_test_data_parallel"};
    args.insert(args.end(), list.begin(), list.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    assert_int_equal(posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ), 0);
    pids.push_back(pid);
  }
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int st = 0;
    waitpid(pid, &st, 0);
    codes.push_back(WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0));
  }
  return codes;
}

// Starts ranks 0..world-1 of `method` with per-rank batch `batch` (`extra`: config lines for every
// rank; `rank1_extra`: more lines for rank 1 only); returns each one's exit status.
std::vector<int> run_ranks(const std::string& method, int64_t batch, const std::string& extra, const std::string& out_prefix,
                           int world = 2, const std::string& rank1_extra = "") {
  const std::string master = "127.0.0.1:" + std::to_string(free_port());
  std::vector<std::vector<std::string>> ranks;
  for (int r = 0; r < world; ++r) {
    const std::string lines = extra + "dist.world_size = " + std::to_string(world) + "\ndist.rank = " + std::to_string(r) +
                              "\ndist.master = " + master + "\ndist.timeout = 20\n" + (r == 1 ? rank1_extra : "");
    ranks.push_back({"--worker", method, std::to_string(batch), lines, out_prefix + std::to_string(r) + ".ckpt"});
  }
  return run_copies(ranks);
}

// Worker mode: exit status 0, or the s4seg status + 10, or 99 for anything else.
int worker(char** argv) {
  try {
    Config c = recipe(argv[2], std::atoll(argv[3]), argv[4]);
    train_and_save(c, argv[5]);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "worker: %s\n", e.what());
    return 10 + static_cast<int>(e.status());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worker: %s\n", e.what());
    return 99;
  }
}

// Reducer mode (argv: --reducer-worker RANK MASTER OUT): each rank runs two micro-batches over
// four parameters, the second armed, with 16-byte buckets (one parameter each), and saves the
// averaged gradients. Rank 1 never uses `used_by_rank0`, the first bucket: rank 0 starts it from
// the backward pass, rank 1 from finish().
int reducer_worker(char** argv) {
  try {
    const int rank = std::atoi(argv[2]);
    Config c;
    c.parse("dist.world_size = 2\ndist.timeout = 20\n");
    c.set_int("dist.rank", rank);
    c.set_string("dist.master", argv[3]);
    std::unique_ptr<Communicator> comm = Communicator::connect(DistOptions::from_config(c), torch::kCPU);
    auto param = [](std::vector<int64_t> shape) { return torch::ones(shape).requires_grad_(true); };
    torch::Tensor a = param({3}), b = param({2, 2}), used_by_rank0 = param({4}), unused = param({2});
    GradientReducer reducer(*comm, {unused, a, b, used_by_rank0}, 16, /*overlap=*/true);
    const double r = rank;
    (a.sum() * (r + 1)).backward();  // first micro-batch: a gets r + 1
    reducer.arm();
    torch::Tensor loss = a.sum() * (r + 1) + (b * (r + 2)).sum();
    if (rank == 0) loss = loss + (used_by_rank0 * 3).sum();
    loss.backward();
    reducer.finish();
    Records out;
    out["a"] = encode_tensor(a.grad());
    out["b"] = encode_tensor(b.grad());
    if (used_by_rank0.grad().defined()) out["used_by_rank0"] = encode_tensor(used_by_rank0.grad());
    if (unused.grad().defined()) out["unused"] = encode_tensor(unused.grad());
    write_container(argv[4], ContainerKind::Checkpoint, pack_records(out));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reducer worker: %s\n", e.what());
    return 99;
  }
}

Records checkpoint(const std::string& path) {
  ContainerKind kind;
  return unpack_records(read_container(path, &kind), path);
}

// Every record except the configs (they differ in dist.rank and the batch size) must be equal.
void assert_same_state(const Records& a, const Records& b) {
  size_t compared = 0;
  assert_int_equal(a.size(), b.size());
  for (const auto& kv : a) {
    if (kv.first == "config" || kv.first == "trainer/config") continue;
    auto it = b.find(kv.first);
    assert_true(it != b.end());
    if (it->second != kv.second) std::fprintf(stderr, "differs: %s\n", kv.first.c_str());
    assert_true(it->second == kv.second);
    ++compared;
  }
  assert_true(compared > 10);
}

// Largest |difference| over the weight records ("param/...", or `prefix`) of two checkpoints.
double max_weight_difference(const Records& a, const Records& b, const std::string& prefix = "param/") {
  double worst = 0;
  for (const auto& kv : a) {
    if (kv.first.rfind(prefix, 0) != 0) continue;
    torch::Tensor x = decode_tensor(kv.second, "a"), y = decode_tensor(b.at(kv.first), "b");
    worst = std::max(worst, (x.to(torch::kDouble) - y.to(torch::kDouble)).abs().max().item<double>());
  }
  return worst;
}

}  // namespace

static void two_gloo_ranks_equal_one_process_with_the_doubled_batch(void**) {
  const std::string dir = tmp_dir() + "/s4seg_dp_sup_";
  const std::string frozen = "train.batchnorm = frozen\n";
  std::vector<int> codes = run_ranks("supervised", 2, frozen, dir);
  assert_int_equal(codes[0], 0);
  assert_int_equal(codes[1], 0);
  Records r0 = checkpoint(dir + "0.ckpt"), r1 = checkpoint(dir + "1.ckpt");
  assert_same_state(r0, r1);

  train_and_save(recipe("supervised", 4, frozen), dir + "single4.ckpt");
  train_and_save(recipe("supervised", 2, frozen), dir + "single2.ckpt");
  train_and_save(recipe("supervised", 4, frozen + "train.iters = 1\n"), dir + "start.ckpt");
  Records single4 = checkpoint(dir + "single4.ckpt"), single2 = checkpoint(dir + "single2.ckpt");
  const double vs_doubled = max_weight_difference(r0, single4);
  const double vs_half = max_weight_difference(r0, single2);
  const double moved = max_weight_difference(single4, checkpoint(dir + "start.ckpt"));
  std::fprintf(stderr, "max |w_ranks - w_single(batch 4)| = %.3g, vs batch 2: %.3g, weights moved by %.3g over 3 steps\n",
               vs_doubled, vs_half, moved);
  assert_true(vs_doubled < 2e-5);
  assert_true(vs_half > 1e-3);  // the comparison can tell batches apart
  assert_true(moved > 1e-2);    // training did move the weights

  // In 10 KB buckets (about 20 here), most sums start from inside the backward pass
  // (dist.overlap_backward, the default). They agree bit for bit with sums started after it, and
  // with the single default bucket.
  const std::string small = frozen + "dist.bucket_mb = 0.01\n";
  std::vector<int> during = run_ranks("supervised", 2, small, dir + "during");
  std::vector<int> after = run_ranks("supervised", 2, small + "dist.overlap_backward = false\n", dir + "after");
  assert_true(during[0] == 0 && during[1] == 0 && after[0] == 0 && after[1] == 0);
  assert_same_state(r0, checkpoint(dir + "during0.ckpt"));
  assert_same_state(r0, checkpoint(dir + "after0.ckpt"));

  // Queued iterations (train.read_every = 3): each rank decides on the device from the loss
  // summed over the ranks and reads it back once, at the end. Same steps as reading each.
  std::vector<int> queued = run_ranks("supervised", 2, frozen + "train.read_every = 3\n", dir + "queued");
  assert_true(queued[0] == 0 && queued[1] == 0);
  assert_same_state(r0, checkpoint(dir + "queued0.ckpt"));
  assert_same_state(r0, checkpoint(dir + "queued1.ckpt"));

  // With two micro-batches per rank, the hooks add the first micro-batch's gradients to the
  // second's before the sum starts: still the step of one process with batch 4.
  std::vector<int> micro = run_ranks("supervised", 2, frozen + "train.grad_accumulation = 2\n", dir + "micro");
  assert_int_equal(micro[0], 0);
  assert_int_equal(micro[1], 0);
  const double micro_vs_doubled = max_weight_difference(checkpoint(dir + "micro0.ckpt"), single4);
  std::fprintf(stderr, "2 ranks x 2 micro-batches of 1 vs one process with batch 4: %.3g\n", micro_vs_doubled);
  assert_true(micro_vs_doubled < 2e-5);
}

// SyncBatchNorm: two ranks of batch 2 normalise over all 4 images, so they take the step of one
// process with batch 4 and ordinary BatchNorm, running statistics included. One step: over more
// steps the tiny width-8 network amplifies fp32 rounding (3 steps: 3e-4), which says nothing
// about the synchronisation.
static void sync_batchnorm_ranks_equal_one_process_with_the_doubled_batch(void**) {
  const std::string dir = tmp_dir() + "/s4seg_dp_syncbn_";
  const std::string one_step = "train.iters = 1\n";
  std::vector<int> codes = run_ranks("supervised", 2, one_step + "train.batchnorm = sync\n", dir);
  assert_int_equal(codes[0], 0);
  assert_int_equal(codes[1], 0);
  Records r0 = checkpoint(dir + "0.ckpt");
  assert_same_state(r0, checkpoint(dir + "1.ckpt"));
  train_and_save(recipe("supervised", 4, one_step), dir + "single4.ckpt");
  Records single4 = checkpoint(dir + "single4.ckpt");
  const double weights = max_weight_difference(r0, single4), stats = max_weight_difference(r0, single4, "buffer/");
  // Per-rank statistics (train.batchnorm = batch) are what SyncBatchNorm must differ from.
  std::vector<int> local = run_ranks("supervised", 2, one_step, dir + "local");
  assert_int_equal(local[0], 0);
  const double per_rank = max_weight_difference(checkpoint(dir + "local0.ckpt"), single4);
  std::fprintf(stderr, "sync BN ranks vs batch 4: weights %.3g, running statistics %.3g; per-rank BN vs batch 4: %.3g\n",
               weights, stats, per_rank);
  assert_true(weights < 2e-6);
  assert_true(stats < 2e-6);
  assert_true(per_rank > 1e-3);
}

// With one rank, sync_batch_norm is batch_norm: outputs, input and affine gradients, statistics.
static void sync_batch_norm_with_one_rank_is_batch_norm(void**) {
  torch::manual_seed(3);
  torch::Tensor x = torch::randn({3, 4, 5, 6}) * 2 + 1;
  torch::Tensor w = torch::rand({4}) + 0.5, b = torch::randn({4});
  torch::Tensor dy = torch::randn({3, 4, 5, 6});
  RankGroup alone{[](std::vector<torch::Tensor>&) {}, 0, 1};
  auto run = [&](bool sync) {
    torch::Tensor xi = x.clone().requires_grad_(true), wi = w.clone().requires_grad_(true), bi = b.clone().requires_grad_(true);
    torch::Tensor rm = torch::zeros({4}), rv = torch::ones({4});
    torch::Tensor y = sync ? sync_batch_norm(xi, wi, bi, rm, rv, 0.1, 1e-5, alone)
                           : torch::batch_norm(xi, wi, bi, rm, rv, true, 0.1, 1e-5, false);
    y.backward(dy);
    return std::vector<torch::Tensor>{y.detach(), xi.grad(), wi.grad(), bi.grad(), rm, rv};
  };
  std::vector<torch::Tensor> mine = run(true), torchs = run(false);
  for (size_t i = 0; i < mine.size(); ++i) ASSERT_NEAR((mine[i] - torchs[i]).abs().max().item<double>(), 0, 1e-4);
}

// The averaging rules, with sums started from the backward pass: each gradient becomes its mean
// over the ranks (earlier micro-batches included), one that only rank 0 produced counts as zero
// on rank 1, and one that no rank produced stays undefined.
static void gradient_reducer_averages_with_the_missing_as_zero(void**) {
  const std::string master = "127.0.0.1:" + std::to_string(free_port());
  const std::string out = tmp_dir() + "/s4seg_reducer_";
  std::vector<int> codes = run_copies({{"--reducer-worker", "0", master, out + "0.rec"}, {"--reducer-worker", "1", master, out + "1.rec"}});
  assert_true(codes[0] == 0 && codes[1] == 0);
  for (int r = 0; r < 2; ++r) {
    Records got = checkpoint(out + std::to_string(r) + ".rec");
    // a: rank 0 has 1 + 1, rank 1 has 2 + 2; b: 2 and 3; used_by_rank0: 3 and nothing.
    assert_true(torch::equal(decode_tensor(got.at("a"), "a"), torch::full({3}, 3.0)));
    assert_true(torch::equal(decode_tensor(got.at("b"), "b"), torch::full({2, 2}, 2.5)));
    assert_true(torch::equal(decode_tensor(got.at("used_by_rank0"), "c"), torch::full({4}, 1.5)));
    assert_int_equal(got.count("unused"), 0);
  }
}

// Teacher, prototype banks (pcr), discriminators and their Adam state (rrn) stay identical too.
static void semi_supervised_ranks_keep_identical_state(void**) {
  for (const std::string method : {"fixmatch", "pcr", "rrn"}) {
    const std::string dir = tmp_dir() + "/s4seg_dp_" + method + "_";
    std::vector<int> codes = run_ranks(method, 2, "", dir);
    std::fprintf(stderr, "%s: rank exit codes %d %d\n", method.c_str(), codes[0], codes[1]);
    assert_int_equal(codes[0], 0);
    assert_int_equal(codes[1], 0);
    assert_same_state(checkpoint(dir + "0.ckpt"), checkpoint(dir + "1.ckpt"));
  }
}

static void ranks_with_different_configs_are_refused(void**) {
  std::vector<int> codes = run_ranks("supervised", 2, "", tmp_dir() + "/s4seg_dp_mismatch_", 2, "train.lr = 0.02\n");
  assert_int_equal(codes[0], 10 + static_cast<int>(Status::InvalidArgument));
  assert_int_equal(codes[1], 10 + static_cast<int>(Status::InvalidArgument));
}

static void a_missing_rank_times_out_with_an_io_error(void**) {
  Config c = recipe("supervised", 2, "dist.world_size = 2\ndist.timeout = 2\n");
  c.set_string("dist.master", "127.0.0.1:" + std::to_string(free_port()));
  std::shared_ptr<Model> model = create_method_model(c);
  auto data = std::make_shared<Dataset>();
  data->add_synthetic(4, 32, 32, 3, 7);
  ASSERT_THROWS_STATUS(Trainer(model, data, nullptr, c), Status::Io);
}

static void bad_dist_settings_are_invalid_arguments(void**) {
  std::shared_ptr<Model> model = create_method_model(recipe("supervised", 2, ""));
  auto data = std::make_shared<Dataset>();
  data->add_synthetic(4, 32, 32, 3, 7);
  ASSERT_THROWS_STATUS(Trainer(model, data, nullptr, recipe("supervised", 2, "dist.world_size = 2\ndist.rank = 2\n")),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(Trainer(model, data, nullptr, recipe("supervised", 2, "dist.world_size = 2\ndist.master = nowhere\n")),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(Trainer(model, data, nullptr, recipe("supervised", 2, "dist.world_size = 2\ndist.master = h:99999\n")),
                       Status::InvalidArgument);
}

// Two micro-batches of 2 give the step of one batch of 4 (frozen BatchNorm); batch 3 cannot be split.
static void gradient_accumulation_equals_the_whole_batch(void**) {
  const std::string dir = tmp_dir() + "/s4seg_accum_";
  const std::string frozen = "train.batchnorm = frozen\n";
  train_and_save(recipe("supervised", 4, frozen), dir + "whole.ckpt");
  train_and_save(recipe("supervised", 4, frozen + "train.grad_accumulation = 2\n"), dir + "micro.ckpt");
  train_and_save(recipe("supervised", 2, frozen), dir + "half.ckpt");
  const double same = max_weight_difference(checkpoint(dir + "whole.ckpt"), checkpoint(dir + "micro.ckpt"));
  const double other = max_weight_difference(checkpoint(dir + "whole.ckpt"), checkpoint(dir + "half.ckpt"));
  std::fprintf(stderr, "accumulation 2x2 vs batch 4: %.3g; batch 2 vs batch 4: %.3g\n", same, other);
  assert_true(same < 2e-5);
  assert_true(other > 1e-3);

  std::shared_ptr<Model> model = create_method_model(recipe("supervised", 3, ""));
  auto data = std::make_shared<Dataset>();
  data->add_synthetic(4, 32, 32, 3, 7);
  ASSERT_THROWS_STATUS(Trainer(model, data, nullptr, recipe("supervised", 3, "train.grad_accumulation = 2\n")),
                       Status::InvalidArgument);
}

// Activation checkpointing recomputes the backbone stages in the backward pass: the same training,
// for a mean-teacher method and for rrn's two branches (whose discriminators train in the same pass).
static void activation_checkpointing_trains_the_same_weights(void**) {
  const std::string dir = tmp_dir() + "/s4seg_ckpt_";
  for (const std::string method : {"fixmatch", "rrn"}) {
    // rrn's region selection thresholds discriminator scores, so float rounding that differs
    // between the recomputed and the kept activations flips regions and then grows: measured on an
    // AMD EPYC with LibTorch 1.13, the weights differ by 1.2e-7, 7.3e-7, 2.6e-4 and 5.3e-3 after 1
    // to 4 iterations. Two iterations still train the discriminators on recomputed gradients.
    const std::string iters = method == "rrn" ? "train.iters = 2\n" : "";
    train_and_save(recipe(method, 2, iters), dir + method + "_plain.ckpt");
    train_and_save(recipe(method, 2, iters + "train.activation_checkpointing = backbone\n"), dir + method + "_recomputed.ckpt");
    const Records plain = checkpoint(dir + method + "_plain.ckpt"), recomputed = checkpoint(dir + method + "_recomputed.ckpt");
    const double d = max_weight_difference(plain, recomputed);
    // BatchNorm statistics (num_batches_tracked included) moved once per step, as without it: a
    // second update per step would put num_batches_tracked 4 apart. The tolerance covers float
    // rounding in the running variances (rrn: 3e-5 seen).
    const double stats = max_weight_difference(plain, recomputed, "buffer/");
    std::fprintf(stderr, "%s: activation checkpointing vs plain: weights %.3g, buffers %.3g\n", method.c_str(), d, stats);
    assert_true(d < 2e-5);
    assert_true(stats < 1e-4);
  }
}

// train.amp = bf16 on the CPU: training runs and stays finite, and prediction under bf16 autocast
// gives class probabilities within bf16 rounding of the same weights' float32 ones.
static void cpu_bf16_trains_and_predicts_close_to_float32(void**) {
  auto [model, stats] = train_on_synthetic(recipe("fixmatch", 2, "train.amp = bf16\n"), "");
  assert_true(std::isfinite(stats.loss) && stats.loss > 0);

  LoadedSample probe = make_synthetic_sample(40, 40, 3, 9);
  torch::Tensor p16 = class_probabilities(*model, {&probe.image}, nullptr);
  model->config.set_string("train.amp", "off");
  torch::Tensor p32 = class_probabilities(*model, {&probe.image}, nullptr);
  const double d = (p16 - p32).abs().max().item<double>();
  std::fprintf(stderr, "bf16 vs float32 class probabilities: max difference %.3g\n", d);
  assert_true(d > 0);     // autocast did run in bf16
  assert_true(d < 0.05);  // and only rounded
}

// Frozen BatchNorm trains with the running statistics and leaves them as they were.
static void frozen_batchnorm_keeps_running_statistics(void**) {
  for (const bool frozen : {true, false}) {
    Config c = recipe("supervised", 2, frozen ? "train.batchnorm = frozen\n" : "");
    std::shared_ptr<Model> model = create_method_model(c);
    std::vector<torch::Tensor> before;
    for (const auto& b : model->net->buffers()) before.push_back(b.clone());
    auto data = std::make_shared<Dataset>();
    data->add_synthetic(4, 32, 32, 3, 7);
    Trainer trainer(model, data, nullptr, c);
    TrainStats stats;
    trainer.step(2, stats, nullptr);
    bool unchanged = true;
    auto after = model->net->buffers();
    for (size_t i = 0; i < before.size(); ++i)
      if (before[i].is_floating_point()) unchanged = unchanged && torch::equal(before[i], after[i]);
    assert_int_equal(unchanged, frozen);
  }
}

int main(int argc, char** argv) {
  if (argc == 6 && std::strcmp(argv[1], "--worker") == 0) return worker(argv);
  if (argc == 5 && std::strcmp(argv[1], "--reducer-worker") == 0) return reducer_worker(argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_gloo_ranks_equal_one_process_with_the_doubled_batch),
      cmocka_unit_test(activation_checkpointing_trains_the_same_weights),
      cmocka_unit_test(cpu_bf16_trains_and_predicts_close_to_float32),
      cmocka_unit_test(sync_batchnorm_ranks_equal_one_process_with_the_doubled_batch),
      cmocka_unit_test(sync_batch_norm_with_one_rank_is_batch_norm),
      cmocka_unit_test(gradient_reducer_averages_with_the_missing_as_zero),
      cmocka_unit_test(semi_supervised_ranks_keep_identical_state),
      cmocka_unit_test(ranks_with_different_configs_are_refused),
      cmocka_unit_test(a_missing_rank_times_out_with_an_io_error),
      cmocka_unit_test(bad_dist_settings_are_invalid_arguments),
      cmocka_unit_test(gradient_accumulation_equals_the_whole_batch),
      cmocka_unit_test(frozen_batchnorm_keeps_running_statistics),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

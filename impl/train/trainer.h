// The training loop a host drives with step(n): batches, augmentation, the method's losses,
// SGD with a poly schedule, divergence and cancellation checks, checkpoints.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "augment/weak.h"
#include "data/batch_loader.h"
#include "data/dataset.h"
#include "dist/communicator.h"
#include "dist/gradient_reducer.h"
#include "models/batch_norm.h"
#include "methods/method.h"
#include "methods/method_registry.h"
#include "models/model.h"
#include "optim/optimizer.h"
#include "optim/lr_schedule.h"

namespace s4seg {

struct TrainStats {
  int64_t iteration = 0;
  int64_t total_iterations = 0;
  double loss = 0;
  double learning_rate = 0;
  double seconds = 0;
  double images_per_second = 0;
  double eta_seconds = 0;
  // The methods' named loss terms and metrics ("loss/unsupervised", "pseudo/keep_ratio",
  // "pseudo/accuracy" ...) over the same iterations; ratios with no denominator are left out.
  std::vector<std::pair<std::string, double>> metrics;
};

// Returns true to stop training.
using ProgressFn = std::function<bool(const TrainStats&)>;

class Trainer {
 public:
  // `unlabeled` may be null; methods that learn from unlabeled images (fixmatch, pcr, css) need it,
  // supervised training ignores it.
  Trainer(std::shared_ptr<Model> model, std::shared_ptr<const Dataset> labeled, std::shared_ptr<const Dataset> unlabeled,
          const Config& config);
  ~Trainer();

  // Runs up to n iterations. Throws Error(Cancelled / Diverged / State ...); `stats` is filled
  // for the iterations completed, also when an error is thrown.
  void step(int64_t n, TrainStats& stats, const ProgressFn& progress);
  void cancel() { cancel_.store(true); }
  int64_t iteration() const { return iteration_; }
  int64_t total_iterations() const { return total_; }

  void save_checkpoint(const std::string& path) const;
  void resume(const std::string& path);

 private:
  // Accumulates sums of the loss and of each metric (see StepOutputs) over a window of iterations.
  struct Window {
    int64_t iterations = 0;
    double loss = 0;
    struct Sum {
      double num = 0, den = 0;  // den: iterations for averages, the summed denominator for ratios
      bool ratio = false;
    };
    std::map<std::string, Sum> sums;
    void add(const Window& other);
  };
  // One iteration's loss and report figures, on the device until read, with what is needed to
  // account for them (and, with train.read_every > 1, to roll back to before it).
  struct QueuedIteration {
    int64_t iteration = 0;
    double lr = 0;
    double data_wait = 0;  // seconds blocked on the loaders
    double seconds = 0;    // host time the iteration took to queue
    std::vector<int64_t> host_counters;       // the method's, from before the iteration
    std::vector<int64_t> optimizer_counters;  // the optimizer's, likewise
    torch::Tensor values;  // float: loss (summed over ranks), [cancel requests], loss terms, metrics
    std::vector<std::string> loss_names;
    struct Metric {
      std::string name;
      int64_t size;         // 1: an average, 2: (numerator, denominator)
      int64_t micro_batches;
    };
    std::vector<Metric> metrics;
  };
  // Runs one iteration. train.read_every = 1: reads its figures, throws Error(Diverged or
  // Cancelled) before applying a NaN or cancelled step, else applies it and adds it to `w`.
  // Otherwise queues it, its updates conditional on `apply_` on the device.
  void run_iteration(Window& w);
  // Reads every queued iteration in one copy and adds them to `w`. At the first one that diverged
  // or was cancelled, puts the iteration count and the method's and the optimizer's counters back
  // to before it (its updates and the later ones were skipped on the device) and throws.
  void read_queued(Window& w);
  void account(const QueuedIteration& q, const double* values, Window& w) const;
  // Throws if the iteration's figures say it diverged or was cancelled; `skipped_after` counts the
  // queued iterations after it whose updates were skipped too.
  void check_not_halted(const QueuedIteration& q, const double* values, size_t skipped_after) const;
  void fill_stats(TrainStats& s, const Window& w, double seconds) const;
  // Data parallel: connects, checks that every rank has the same config, broadcasts rank 0's state.
  void join_job(const DistOptions& dist);
  Config config_;
  std::shared_ptr<Model> model_;
  std::shared_ptr<const Dataset> labeled_;
  std::shared_ptr<const Dataset> unlabeled_;
  MethodDescriptor descriptor_;  // train.method's capabilities
  std::unique_ptr<Method> method_;
  std::vector<int64_t*> host_counters_;  // the method's (MethodState::host_counters)
  std::unique_ptr<Optimizer> optimizer_;
  std::vector<torch::Tensor> trained_params_;  // every parameter of the method's groups (gradient clipping)
  double grad_clip_ = 0;
  int64_t accumulation_ = 1;                     // micro-batches per iteration (train.grad_accumulation)
  std::unique_ptr<Communicator> comm_;           // null unless dist.world_size > 1
  std::unique_ptr<GradientReducer> reducer_;     // averages the gradients over the ranks
  bool sync_batchnorm_ = false;                  // train.batchnorm = sync
  RankGroup rank_group_;                         // the job as SyncBatchNorm2d and the method see it
  std::unique_ptr<BatchLoader> loader_;
  std::unique_ptr<BatchLoader> unlabeled_loader_;  // null unless the method uses unlabeled data
  std::atomic<bool> cancel_{false};
  int64_t iteration_ = 0;
  int64_t total_;
  uint64_t seed_;
  bool amp_;
  // Read once from the config: they are used every iteration.
  WeakAugOptions weak_;
  double base_lr_, poly_power_, min_lr_;
  int64_t warmup_, batch_, unlabeled_batch_, log_every_;
  bool in_step_ = false;  // set while step() runs, so a progress callback cannot re-enter
  int64_t read_every_ = 1;                 // train.read_every
  std::vector<QueuedIteration> queued_;    // not read yet (train.read_every > 1); empty outside step()
  torch::Tensor apply_;                    // bool scalar on the device: false once a queued iteration halted
};

}  // namespace s4seg

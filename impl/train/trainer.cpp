#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <random>

#include "augment/weak.h"
#include "core/device.h"
#include "core/error.h"
#include "core/torch_compat.h"
#include "dist/gradient_reducer.h"
#include "dist/replica_sync.h"
#include "io/container.h"
#include "models/tensor_codec.h"
#include "optim/grad_clip.h"

namespace s4seg {

namespace {
// Per-iteration seeds derived from (seed, iteration, stream): augmentation and dropout are then
// reproducible and a resumed run continues exactly as the original would have.
uint64_t mix_seed(uint64_t seed, int64_t iteration, uint64_t stream) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(iteration) + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^
               stream * 0x94D049BB133111EBull;
  z ^= z >> 31;
  z *= 0xD6E8FEB86659FD93ull;
  return z ^ (z >> 32);
}

std::string int_text(int64_t v) { return std::to_string(v); }
int64_t text_int(const std::string& s, const std::string& who) {
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    fail(Status::Format, who + ": bad integer record");
  }
}
}  // namespace

Trainer::Trainer(std::shared_ptr<Model> model, std::shared_ptr<const Dataset> labeled, std::shared_ptr<const Dataset> unlabeled,
                 const Config& config)
    : config_(config), model_(std::move(model)), labeled_(std::move(labeled)), unlabeled_(std::move(unlabeled)) {
  require(labeled_->size() > 0, "the labeled dataset is empty");
  require(labeled_->masked_count() == labeled_->size(),
          "the labeled dataset has " + std::to_string(labeled_->size() - labeled_->masked_count()) +
              " sample(s) without a mask; every labeled sample needs one");
  total_ = config_.get_int("train.iters");
  seed_ = static_cast<uint64_t>(config_.get_int("train.seed"));
  amp_ = wants_bf16_autocast(config_, model_->device);
  weak_.crop = config_.get_int("train.crop_size");
  weak_.scale_min = std::min(config_.get_double("train.scale_min"), config_.get_double("train.scale_max"));
  weak_.scale_max = std::max(config_.get_double("train.scale_min"), config_.get_double("train.scale_max"));
  weak_.flip = config_.get_bool("train.flip");
  base_lr_ = config_.get_double("train.lr");
  poly_power_ = config_.get_double("train.poly_power");
  min_lr_ = config_.get_double("train.min_lr");
  warmup_ = config_.get_int("train.warmup_iters");
  batch_ = config_.get_int("train.batch_size");
  unlabeled_batch_ = config_.get_int("train.unlabeled_batch_size");
  if (unlabeled_batch_ == 0) unlabeled_batch_ = batch_;
  log_every_ = config_.get_int("train.log_every");
  // train.threads for the setup below only; cuDNN as the host has it.
  const ScopedProcessSettings settings(config_.get_int("train.threads"), at::globalContext().benchmarkCuDNN());
  descriptor_ = find_method(config_.get_string("train.method"));
  method_ = descriptor_.make(config_, model_, descriptor_);
  const std::vector<ParamGroup> groups = method_->param_groups();
  optimizer_ = make_optimizer(config_, groups);
  for (const auto& g : groups) trained_params_.insert(trained_params_.end(), g.params.begin(), g.params.end());
  grad_clip_ = config_.get_double("train.grad_clip");
  accumulation_ = config_.get_int("train.grad_accumulation");
  require(batch_ % accumulation_ == 0, "train.batch_size = " + std::to_string(batch_) + " is not a multiple of train.grad_accumulation = " +
                                           std::to_string(accumulation_) + " (each micro-batch takes the same share)");
  if (descriptor_.uses_unlabeled)
    require(unlabeled_batch_ % accumulation_ == 0, "train.unlabeled_batch_size = " + std::to_string(unlabeled_batch_) +
                                                       " is not a multiple of train.grad_accumulation = " + std::to_string(accumulation_));
  const MethodState state = method_->state();
  host_counters_ = state.host_counters;
  for (SegmentationNetImpl* net : state.nets) {
    net->set_batchnorm_frozen(config_.get_string("train.batchnorm") == "frozen");
    net->set_activation_checkpointing(config_.get_string("train.activation_checkpointing") == "backbone");
  }
  sync_batchnorm_ = config_.get_string("train.batchnorm") == "sync";
  const DistOptions dist = DistOptions::from_config(config_);
  if (dist.world > 1) {
    require(descriptor_.data_parallel, "train.method = " + descriptor_.name + " does not run data parallel: dist.world must be 1");
    join_job(dist);
  }
  const Shard shard{comm_ ? comm_->rank() : 0, comm_ ? comm_->world() : 1};
  const int workers = static_cast<int>(config_.get_int("train.workers"));
  const int prefetch = static_cast<int>(config_.get_int("train.prefetch"));
  loader_ = std::make_unique<BatchLoader>(labeled_, batch_, seed_, workers, /*masked_only=*/true, prefetch, shard);
  if (descriptor_.uses_unlabeled) {
    const std::string& name = descriptor_.name;
    require(unlabeled_ != nullptr, "train.method = " + name + " learns from unlabeled images: give an unlabeled dataset");
    require(unlabeled_->size() > 0, "train.method = " + name + ": the unlabeled dataset is empty");
    // A different seed stream, so the two samplers do not walk in lockstep.
    unlabeled_loader_ = std::make_unique<BatchLoader>(unlabeled_, unlabeled_batch_, mix_seed(seed_, -1, 7), workers,
                                                      /*masked_only=*/false, prefetch, shard);
  }
  read_every_ = config_.get_int("train.read_every");
  if (read_every_ > 1) {
    const std::string able = method_names(", ", [](const MethodDescriptor& d) { return d.skips_on_device; });
    require(descriptor_.skips_on_device, "train.read_every = " + std::to_string(read_every_) + " needs a method that can skip "
                                         "an update on the device (" + able + "); train.method = " + descriptor_.name +
                                         " needs train.read_every = 1");
  }
  apply_ = torch::ones({}, torch::TensorOptions().dtype(torch::kBool).device(model_->device));
}

Trainer::~Trainer() = default;

void Trainer::join_job(const DistOptions& dist) {
  comm_ = Communicator::connect(dist, model_->device);
  // The ranks must run the same recipe: compare each rank's config (rank and interface aside)
  // with rank 0's before any batch is drawn.
  Config same = config_;
  same.set_int("dist.rank", 0);
  same.set_string("dist.interface", "");
  const std::string text = same.to_text();
  const int64_t digest = static_cast<int64_t>(std::hash<std::string>{}(text) & 0x7fffffffffffffffull);
  torch::Tensor mine = torch::full({1}, digest, torch::TensorOptions().dtype(torch::kLong).device(model_->device));
  torch::Tensor root = mine.clone();
  std::vector<torch::Tensor> msg{root};
  comm_->broadcast(msg, 0);
  torch::Tensor differs = (root != mine).to(torch::kFloat);
  std::vector<torch::Tensor> count{differs};
  comm_->all_reduce_sum(count);
  const int64_t mismatched = static_cast<int64_t>(count[0].item<float>());
  if (mismatched > 0)
    fail(Status::InvalidArgument, "data-parallel rank " + std::to_string(comm_->rank()) + ": " + std::to_string(mismatched) +
                                      " rank(s) have a config different from rank 0's (only dist.rank and dist.interface may "
                                      "differ)" + (root.item<int64_t>() != digest ? std::string(", this one among them") : ""));
  // Same starting point everywhere, whatever each rank's initialisation drew.
  const MethodState state = method_->state();
  broadcast_tensors(*comm_, state.replicated, 0);
  std::vector<torch::Tensor> synced = trained_params_;
  for (const auto& p : state.self_optimized) synced.push_back(p);
  reducer_ = std::make_unique<GradientReducer>(*comm_, synced, static_cast<int64_t>(config_.get_double("dist.bucket_mb") * 1024.0 * 1024.0),
                                               config_.get_bool("dist.overlap_backward"));
  rank_group_ = {[this](std::vector<torch::Tensor>& t) { comm_->all_reduce_sum(t); }, comm_->rank(), comm_->world()};
  method_->set_ranks(&rank_group_);
}

void Trainer::Window::add(const Window& other) {
  iterations += other.iterations;
  loss += other.loss;
  for (const auto& kv : other.sums) {
    Window::Sum& dst = sums[kv.first];
    dst.num += kv.second.num;
    dst.den += kv.second.den;
    dst.ratio = kv.second.ratio;
  }
}

namespace {
// Micro-batch `m` of `count` (moved out of `all`, which is not used afterwards).
std::vector<LoadedSample> micro_batch(std::vector<LoadedSample>& all, int64_t m, int64_t count) {
  const size_t n = all.size() / static_cast<size_t>(count);
  std::vector<LoadedSample> out;
  for (size_t i = static_cast<size_t>(m) * n; i < static_cast<size_t>(m + 1) * n; ++i) out.push_back(std::move(all[i]));
  return out;
}

// Sums of one iteration's report tensors over its micro-batches, kept on the device.
struct StepSums {
  torch::Tensor total;                        // the loss, summed over micro-batches / count
  std::map<std::string, torch::Tensor> loss;  // each term, likewise (a term absent from a micro-batch counts 0)
  std::map<std::string, std::pair<torch::Tensor, int64_t>> metric;  // summed, and in how many micro-batches
};

void add_to(torch::Tensor& sum, const torch::Tensor& v) { sum = sum.defined() ? sum + v : v; }
}  // namespace

void Trainer::run_iteration(Window& w) {
  const auto t0 = std::chrono::steady_clock::now();
  QueuedIteration q;
  q.iteration = iteration_;
  q.lr = poly_lr(base_lr_, iteration_, total_, warmup_, poly_power_, min_lr_);
  for (const int64_t* counter : host_counters_) q.host_counters.push_back(*counter);
  q.optimizer_counters = optimizer_->host_counters();
  HostBatch hb = loader_->next();
  q.data_wait = loader_->last_wait_seconds();
  HostBatch hu;
  if (unlabeled_loader_) {
    hu = unlabeled_loader_->next();
    q.data_wait += unlabeled_loader_->last_wait_seconds();
  }
  // Rank 0 keeps the single-process streams; other ranks draw their own augmentation.
  const uint64_t rank_stream = 16u * static_cast<uint64_t>(comm_ ? comm_->rank() : 0);
  std::mt19937_64 rng(mix_seed(seed_, iteration_, 1 + rank_stream));
  torch::manual_seed(mix_seed(seed_, iteration_, 2 + rank_stream));  // dropout, strong augmentation, mixing
  optimizer_->zero_grad();
  if (reducer_) reducer_->disarm();
  // train.batchnorm = sync: BatchNorm statistics (and their gradients) summed over the ranks.
  BatchNormSyncScope sync_bn(comm_ && sync_batchnorm_ ? &rank_group_ : nullptr);
  StepSums sums;
  const double micro_weight = 1.0 / static_cast<double>(accumulation_);
  // The weak augmentation walks the samples in order with one generator, so the micro-batches
  // get exactly the crops and flips the whole batch would.
  auto augment = [&](std::vector<LoadedSample>& samples, int64_t m) {
    AugmentedBatch a = weak_augment(micro_batch(samples, m, accumulation_), model_->device, weak_, rng);
    if (model_->channels_last) a.images = a.images.contiguous(at::MemoryFormat::ChannelsLast);
    return Batch{a.images, a.masks, a.valid};
  };
  const torch::Tensor apply = read_every_ > 1 ? apply_ : torch::Tensor();  // before this iteration's loss
  for (int64_t m = 0; m < accumulation_; ++m) {
    StepInputs in;
    in.labeled = augment(hb.samples, m);
    if (unlabeled_loader_) in.unlabeled = augment(hu.samples, m);
    in.iteration = iteration_;
    in.total_iterations = total_;
    in.labeled_epoch = iteration_ * batch_ / static_cast<int64_t>(labeled_->masked_count());
    in.micro_batch = m;
    in.apply = apply;
    torch::Tensor total;
    StepOutputs out;
    {
      Bf16Autocast autocast(model_->device.type(), amp_);
      out = method_->step(in);
      for (auto& kv : out.losses) add_to(total, kv.second.to(torch::kFloat));
    }
    // Each micro-batch's graph is freed by its backward: that is where the memory saving comes from.
    if (reducer_ && m == accumulation_ - 1) reducer_->arm();  // gradient all-reduces start from this backward
    (accumulation_ > 1 ? total * micro_weight : total).backward();
    add_to(sums.total, total.detach() * micro_weight);
    for (auto& kv : out.losses) add_to(sums.loss[kv.first], kv.second.detach().to(torch::kFloat) * micro_weight);
    for (auto& kv : out.metrics) {
      auto& dst = sums.metric[kv.first];
      add_to(dst.first, kv.second.detach().to(torch::kFloat).reshape({-1}));
      ++dst.second;
    }
  }
  if (reducer_) reducer_->finish();  // a NaN below leaves the averaged gradients unused
  // The loss and every report scalar in one tensor, read with one device-to-host copy. In a
  // data-parallel job the loss and the cancel requests are summed over the ranks first, so that
  // every rank takes the same decision; the other figures are this rank's.
  torch::Tensor head = sums.total.reshape({1});
  if (comm_) {
    const float cancel = cancel_.exchange(false) ? 1.0f : 0.0f;
    std::vector<torch::Tensor> shared{torch::cat({head, torch::full({1}, cancel, head.options())})};
    comm_->all_reduce_sum(shared);
    head = shared[0];
  }
  std::vector<torch::Tensor> parts{head};
  for (auto& kv : sums.loss) {
    parts.push_back(kv.second.reshape({1}));
    q.loss_names.push_back(kv.first);
  }
  for (auto& kv : sums.metric) {
    parts.push_back(kv.second.first);
    q.metrics.push_back({kv.first, kv.second.first.numel(), kv.second.second});
  }
  q.values = torch::cat(parts);
  torch::Tensor host;
  torch::Tensor step_apply;
  if (read_every_ == 1) {
    host = q.values.to(torch::kCPU, torch::kDouble);
    check_not_halted(q, host.data_ptr<double>(), 0);
  } else {
    // Decided on the device: a non-finite loss (or a cancel request) cancels this update and,
    // since apply_ stays false, every later one until the host reads the queue.
    torch::Tensor go = torch::isfinite(head[0]);
    if (comm_) go = go & (head[1] <= 0);
    apply_ = apply_ & go;
    step_apply = apply_;
  }
  if (grad_clip_ > 0) clip_gradient_norm(trained_params_, grad_clip_);
  optimizer_->step(q.lr, step_apply);
  method_->after_step(iteration_, step_apply);
  if (comm_) {
    const MethodState state = method_->state();
    average_tensors(*comm_, state.rank_averaged);
    broadcast_tensors(*comm_, state.rank0, 0);
  }
  ++iteration_;
  q.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (read_every_ == 1)
    account(q, host.data_ptr<double>(), w);
  else
    queued_.push_back(std::move(q));
}

void Trainer::check_not_halted(const QueuedIteration& q, const double* v, size_t skipped_after) const {
  const double value = comm_ ? v[0] / static_cast<double>(comm_->world()) : v[0];
  const std::string later =
      skipped_after == 0 ? std::string()
                         : " (nor those of the " + std::to_string(skipped_after) + " iteration(s) queued after it)";
  if (!std::isfinite(value))
    fail(Status::Diverged, "loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at iteration " +
                               std::to_string(q.iteration) + " (lr " + std::to_string(q.lr) +
                               (comm_ ? ", on at least one rank" : "") + "); the update was not applied" + later +
                               " — lower train.lr or check the data");
  if (comm_ && v[1] > 0)
    fail(Status::Cancelled, "training cancelled at iteration " + std::to_string(q.iteration) + " (requested on " +
                                std::to_string(static_cast<int>(v[1])) + " rank(s)); the update was not applied" + later);
}

void Trainer::account(const QueuedIteration& q, const double* v, Window& w) const {
  ++w.iterations;
  w.loss += comm_ ? v[0] / static_cast<double>(comm_->world()) : v[0];
  size_t at = comm_ ? 2 : 1;
  for (const auto& name : q.loss_names) {
    Window::Sum& dst = w.sums["loss/" + name];
    dst.num += v[at++];
    dst.den += 1;
  }
  for (const auto& m : q.metrics) {
    Window::Sum& dst = w.sums[m.name];
    dst.ratio = m.size == 2;
    dst.num += v[at++] / (dst.ratio ? 1.0 : static_cast<double>(m.micro_batches));
    dst.den += dst.ratio ? v[at++] : 1;
  }
  // Time blocked on image decoding over the whole iteration: near 1 means the loader, not the
  // model, sets the pace.
  Window::Sum& wait = w.sums["data/wait_fraction"];
  wait.ratio = true;
  wait.num += q.data_wait;
  wait.den += q.seconds;
}

void Trainer::read_queued(Window& w) {
  if (queued_.empty()) return;
  std::vector<QueuedIteration> queue = std::move(queued_);
  queued_.clear();
  std::vector<torch::Tensor> values;
  for (const auto& q : queue) values.push_back(q.values);
  const torch::Tensor host = torch::cat(values).to(torch::kCPU, torch::kDouble);
  const double* v = host.data_ptr<double>();
  for (size_t i = 0; i < queue.size(); v += queue[i].values.numel(), ++i) {
    const QueuedIteration& q = queue[i];
    const double loss = v[0];
    const bool halted = !std::isfinite(loss) || (comm_ && v[1] > 0);
    if (!halted) {
      account(q, v, w);
      continue;
    }
    // The device skipped the updates of this iteration and of all after it: the host's view
    // goes back to before it. The batches drawn for them are not drawn again.
    iteration_ = q.iteration;
    for (size_t k = 0; k < host_counters_.size(); ++k) *host_counters_[k] = q.host_counters[k];
    optimizer_->set_host_counters(q.optimizer_counters);
    apply_ = torch::ones({}, apply_.options());
    check_not_halted(q, v, queue.size() - i - 1);
  }
}

void Trainer::fill_stats(TrainStats& s, const Window& w, double seconds) const {
  s.iteration = iteration_;
  s.total_iterations = total_;
  s.loss = w.iterations ? w.loss / static_cast<double>(w.iterations) : 0;
  s.learning_rate = poly_lr(base_lr_, std::max<int64_t>(0, iteration_ - 1), total_, warmup_, poly_power_, min_lr_);
  s.seconds = seconds;
  // Over all ranks of a data-parallel job (they step in lockstep).
  const int64_t per_iter = (batch_ + (unlabeled_loader_ ? unlabeled_batch_ : 0)) * (comm_ ? comm_->world() : 1);
  s.images_per_second = seconds > 0 ? static_cast<double>(w.iterations * per_iter) / seconds : 0;
  s.eta_seconds = w.iterations ? seconds / static_cast<double>(w.iterations) * static_cast<double>(total_ - iteration_) : 0;
  s.metrics.clear();
  for (const auto& kv : w.sums)  // a ratio with nothing counted (no masks on unlabeled images) is left out
    if (kv.second.den > 0) s.metrics.emplace_back(kv.first, kv.second.num / kv.second.den);
}

void Trainer::step(int64_t n, TrainStats& stats, const ProgressFn& progress) {
  require(n >= 1, "iterations must be at least 1, got " + std::to_string(n));
  if (in_step_) fail(Status::State, "s4seg_trainer_step called from inside its own progress callback");
  if (iteration_ >= total_)
    fail(Status::State, "training is finished: " + std::to_string(iteration_) + " of train.iters = " + std::to_string(total_) +
                            " iterations done");
  // train.threads, and cuDNN's benchmark mode on CUDA, for this step only (process-wide settings).
  const ScopedProcessSettings settings(config_.get_int("train.threads"), model_->device.is_cuda());
  std::lock_guard<std::recursive_mutex> lock(model_->mutex);
  in_step_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{in_step_};
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto window_t0 = t0;
  Window all, window;

  struct Finish {  // fills `stats` on every way out, errors included
    std::function<void()> f;
    ~Finish() { f(); }
  } finish{[&] {
    all.add(window);
    fill_stats(stats, all, std::chrono::duration<double>(clock::now() - t0).count());
  }};

  const int64_t end = std::min(total_, iteration_ + n);
  // Whatever stops the loop, queued iterations are read first: their figures count, and one of
  // them may have diverged, which puts the iteration count back.
  struct ReadQueued {
    Trainer& t;
    Window& w;
    ~ReadQueued() {
      try {
        t.read_queued(w);
      } catch (...) {  // the error already on its way out is the one the host gets
      }
    }
  } read_on_error{*this, window};
  while (iteration_ < end) {
    // In a data-parallel job a cancel request travels with the next iteration's loss, so that
    // every rank stops at the same iteration.
    if (!comm_ && cancel_.exchange(false))
      fail(Status::Cancelled, "training cancelled at iteration " + std::to_string(iteration_));
    run_iteration(window);
    const bool report = progress && (iteration_ % log_every_ == 0 || iteration_ == end);
    if (report || iteration_ == end || static_cast<int64_t>(queued_.size()) >= read_every_) read_queued(window);
    if (report) {
      TrainStats s;
      fill_stats(s, window, std::chrono::duration<double>(clock::now() - window_t0).count());
      all.add(window);
      window = Window();
      window_t0 = clock::now();
      if (progress(s)) {
        if (comm_)
          cancel_.store(true);  // stops every rank at the next iteration
        else
          fail(Status::Cancelled, "training stopped by the progress callback at iteration " + std::to_string(iteration_));
      }
    }
  }
}

void Trainer::save_checkpoint(const std::string& path) const {
  std::lock_guard<std::recursive_mutex> lock(model_->mutex);
  Records r;
  write_model_records(*model_, r);
  r["trainer/config"] = config_.to_text();
  r["trainer/iteration"] = int_text(iteration_);
  SamplerState s = loader_->state();
  r["trainer/sampler_epoch"] = int_text(s.epoch);
  r["trainer/sampler_position"] = int_text(s.position);
  if (unlabeled_loader_) {
    SamplerState u = unlabeled_loader_->state();
    r["trainer/unlabeled_sampler_epoch"] = int_text(u.epoch);
    r["trainer/unlabeled_sampler_position"] = int_text(u.position);
  }
  r["trainer/optimizer"] = config_.get_string("train.optimizer");
  optimizer_->save(r);
  method_->save(r);
  write_container(path, ContainerKind::Checkpoint, pack_records(r));
}

void Trainer::resume(const std::string& path) {
  if (in_step_) fail(Status::State, "s4seg_trainer_resume called from inside a progress callback");
  ContainerKind kind;
  std::string raw = read_container(path, &kind);
  const std::string who = "'" + path + "'";
  if (kind != ContainerKind::Checkpoint) fail(Status::Format, who + " is a model file, not a trainer checkpoint");
  Records r = unpack_records(raw, who);
  int64_t it = text_int(record_at(r, "trainer/iteration", who), who);
  SamplerState s{text_int(record_at(r, "trainer/sampler_epoch", who), who), text_int(record_at(r, "trainer/sampler_position", who), who)};
  if (it < 0 || s.epoch < 0 || s.position < 0) fail(Status::Format, who + ": bad trainer state");
  SamplerState u;
  if (unlabeled_loader_) {
    u = {text_int(record_at(r, "trainer/unlabeled_sampler_epoch", who), who),
         text_int(record_at(r, "trainer/unlabeled_sampler_position", who), who)};
    if (u.epoch < 0 || u.position < 0) fail(Status::Format, who + ": bad trainer state");
  }
  // Checkpoints of 0.2 and before hold no optimizer name: they were all SGD.
  const std::string optimizer = r.count("trainer/optimizer") ? r.at("trainer/optimizer") : std::string("sgd");
  if (optimizer != config_.get_string("train.optimizer"))
    fail(Status::Format, who + " holds " + optimizer + " optimizer state; this trainer uses train.optimizer = " +
                             config_.get_string("train.optimizer"));
  std::lock_guard<std::recursive_mutex> lock(model_->mutex);
  // Validate everything before changing anything, so that a bad file leaves the trainer untouched.
  StagedWeights weights(*model_, r, who);
  // The method and the optimizer each load all-or-nothing; the method's previous state is kept
  // aside so that an optimizer record that fails afterwards can put it back.
  Records method_before;
  method_->save(method_before);
  method_->load(r, who);
  try {
    optimizer_->load(r, who);
  } catch (...) {
    method_->load(method_before, "the trainer's previous state");
    throw;
  }
  weights.commit();
  loader_->restore(s);
  if (unlabeled_loader_) unlabeled_loader_->restore(u);
  iteration_ = it;
}

}  // namespace s4seg

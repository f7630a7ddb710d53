#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <random>

#include "augment/weak.h"
#include "core/device.h"
#include "core/error.h"
#include "core/torch_compat.h"
#include "io/container.h"
#include "models/tensor_codec.h"

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
  std::string amp = config_.get_string("train.amp");
  amp_ = model_->device.is_cuda() && (amp == "bf16" || amp == "auto");
  require(!(amp == "bf16" && !model_->device.is_cuda()), "train.amp = bf16 needs a CUDA device (the model is on CPU)");
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
  set_cpu_threads(config_.get_int("train.threads"));
  method_ = make_method(config_, model_);
  const std::vector<ParamGroup> groups = method_->param_groups();
  optimizer_ = make_optimizer(config_, groups);
  for (const auto& g : groups) trained_params_.insert(trained_params_.end(), g.params.begin(), g.params.end());
  grad_clip_ = config_.get_double("train.grad_clip");
  const int workers = static_cast<int>(config_.get_int("train.workers"));
  const int prefetch = static_cast<int>(config_.get_int("train.prefetch"));
  loader_ = std::make_unique<BatchLoader>(labeled_, batch_, seed_, workers, /*masked_only=*/true, prefetch);
  if (method_->uses_unlabeled()) {
    const std::string name = config_.get_string("train.method");
    require(unlabeled_ != nullptr, "train.method = " + name + " learns from unlabeled images: give an unlabeled dataset");
    require(unlabeled_->size() > 0, "train.method = " + name + ": the unlabeled dataset is empty");
    // A different seed stream, so the two samplers do not walk in lockstep.
    unlabeled_loader_ = std::make_unique<BatchLoader>(unlabeled_, unlabeled_batch_, mix_seed(seed_, -1, 7), workers,
                                                      /*masked_only=*/false, prefetch);
  }
  if (model_->device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
}

Trainer::~Trainer() = default;

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

void Trainer::run_iteration(Window& w) {
  const auto t0 = std::chrono::steady_clock::now();
  const double lr = poly_lr(base_lr_, iteration_, total_, warmup_, poly_power_, min_lr_);
  HostBatch hb = loader_->next();
  double data_wait = loader_->last_wait_seconds();
  HostBatch hu;
  if (unlabeled_loader_) {
    hu = unlabeled_loader_->next();
    data_wait += unlabeled_loader_->last_wait_seconds();
  }
  std::mt19937_64 rng(mix_seed(seed_, iteration_, 1));
  torch::manual_seed(mix_seed(seed_, iteration_, 2));  // dropout, strong augmentation, mixing
  AugmentedBatch ab = weak_augment(hb.samples, model_->device, weak_, rng);
  if (model_->channels_last) ab.images = ab.images.contiguous(at::MemoryFormat::ChannelsLast);

  StepInputs in;
  in.labeled = {ab.images, ab.masks, ab.valid};
  if (unlabeled_loader_) {
    AugmentedBatch au = weak_augment(hu.samples, model_->device, weak_, rng);
    if (model_->channels_last) au.images = au.images.contiguous(at::MemoryFormat::ChannelsLast);
    in.unlabeled = {au.images, au.masks, au.valid};
  }
  in.iteration = iteration_;
  in.total_iterations = total_;
  in.labeled_epoch = iteration_ * batch_ / static_cast<int64_t>(labeled_->masked_count());
  optimizer_->zero_grad();
  torch::Tensor total;
  StepOutputs out;
  {
    CudaBf16Autocast autocast(amp_);
    out = method_->step(in);
    for (auto& kv : out.losses) total = total.defined() ? total + kv.second.to(torch::kFloat) : kv.second.to(torch::kFloat);
  }
  // One device-to-host copy for the loss and every report scalar.
  std::vector<torch::Tensor> parts{total.detach().reshape({1})};
  for (auto& kv : out.losses) parts.push_back(kv.second.detach().to(torch::kFloat).reshape({1}));
  for (auto& kv : out.metrics) parts.push_back(kv.second.detach().to(torch::kFloat).reshape({-1}));
  torch::Tensor host = torch::cat(parts).to(torch::kCPU, torch::kDouble);
  const double* v = host.data_ptr<double>();
  const double value = v[0];
  if (!std::isfinite(value))
    fail(Status::Diverged, "loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at iteration " +
                               std::to_string(iteration_) + " (lr " + std::to_string(lr) +
                               "); the update was not applied — lower train.lr or check the data");
  total.backward();
  if (grad_clip_ > 0) torch::nn::utils::clip_grad_norm_(trained_params_, grad_clip_);
  optimizer_->step(lr);
  method_->after_step(iteration_);
  ++iteration_;
  size_t at = 1;
  ++w.iterations;
  w.loss += value;
  for (auto& kv : out.losses) {
    Window::Sum& dst = w.sums["loss/" + kv.first];
    dst.num += v[at++];
    dst.den += 1;
  }
  for (auto& kv : out.metrics) {
    Window::Sum& dst = w.sums[kv.first];
    dst.ratio = kv.second.numel() == 2;
    dst.num += v[at++];
    dst.den += dst.ratio ? v[at++] : 1;
  }
  // Time blocked on image decoding over the whole iteration: near 1 means the loader, not the
  // model, sets the pace.
  Window::Sum& wait = w.sums["data/wait_fraction"];
  wait.ratio = true;
  wait.num += data_wait;
  wait.den += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Trainer::fill_stats(TrainStats& s, const Window& w, double seconds) const {
  s.iteration = iteration_;
  s.total_iterations = total_;
  s.loss = w.iterations ? w.loss / static_cast<double>(w.iterations) : 0;
  s.learning_rate = poly_lr(base_lr_, std::max<int64_t>(0, iteration_ - 1), total_, warmup_, poly_power_, min_lr_);
  s.seconds = seconds;
  const int64_t per_iter = batch_ + (unlabeled_loader_ ? unlabeled_batch_ : 0);
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
  set_cpu_threads(config_.get_int("train.threads"));
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
  while (iteration_ < end) {
    if (cancel_.exchange(false))
      fail(Status::Cancelled, "training cancelled at iteration " + std::to_string(iteration_));
    run_iteration(window);
    if (progress && (iteration_ % log_every_ == 0 || iteration_ == end)) {
      TrainStats s;
      fill_stats(s, window, std::chrono::duration<double>(clock::now() - window_t0).count());
      all.add(window);
      window = Window();
      window_t0 = clock::now();
      if (progress(s)) fail(Status::Cancelled, "training stopped by the progress callback at iteration " + std::to_string(iteration_));
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

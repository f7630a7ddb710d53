// Gradient averaging for data parallel: flat buckets whose all-reduce can start from inside the
// backward pass, while the layers before them are still differentiating.
#pragma once
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "dist/communicator.h"
#include "dist/tensor_packs.h"

namespace s4seg {

// Replaces each parameter's gradient by its mean over the ranks, in buckets of at most
// `bucket_bytes`. A gradient undefined on every rank stays undefined; one that some ranks did not
// produce counts as zero there (as a parameter unused by part of a single large batch would).
//
// Buckets hold the parameters from the last to the first, the order in which the backward pass
// produces their gradients. With `overlap`, a hook on each parameter copies its gradient (plus
// what earlier micro-batches accumulated) into its bucket during the armed backward pass, and a
// bucket's sum starts as soon as it is full and every bucket before it has started; finish()
// starts the rest. Sums start in bucket order on every rank, on the communicator's gradient
// channel. Without `overlap` everything happens in finish().
//
// Thread-safety: one owner thread; the hooks run on the autograd engine's thread while the owner
// waits in backward().
class GradientReducer {
 public:
  GradientReducer(Communicator& comm, std::vector<torch::Tensor> params, int64_t bucket_bytes, bool overlap);
  ~GradientReducer();  // removes the hooks
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // The next backward pass completes this iteration's gradients: its hooks fill the buckets.
  void arm();
  // Hooks do nothing until the next arm() (an iteration that failed before finish() leaves
  // nothing behind for the next one).
  void disarm() { reset(); }
  // Every rank, after the iteration's last backward pass: completes the sums (starting those
  // not started) and writes the means into the gradients. Throws Error(Io) if a peer failed.
  void finish();

 private:
  void on_gradient(size_t param, const torch::Tensor& incoming);
  void start_full_buckets();
  void start(size_t bucket);
  void reset();

  Communicator& comm_;
  std::vector<torch::Tensor> params_;
  std::vector<TensorPack> buckets_;   // flats allocated once
  std::vector<size_t> bucket_of_;     // per parameter
  std::vector<size_t> slot_of_;       // per parameter: its member index in the bucket
  std::vector<int64_t> waiting_;      // per bucket: parameters not yet copied in
  std::vector<Communicator::PendingSum> pending_;  // per bucket, once started
  std::vector<char> copied_;          // per parameter, this iteration
  size_t next_ = 0;                   // the first bucket not started
  bool armed_ = false;
  bool late_ = false;                 // a gradient came after its bucket had started
  std::vector<std::pair<size_t, unsigned>> hooks_;  // (parameter, hook handle)
};

}  // namespace s4seg

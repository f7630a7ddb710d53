// Collectives across the processes of a data-parallel job, over LibTorch's c10d: a TCPStore
// rendezvous at dist.master, then ProcessGroupGloo (CPU tensors) or ProcessGroupNCCL (CUDA).
// The c10d headers stay inside communicator.cpp; every c10d failure (peer gone, timeout, refused
// connection) is rethrown as Error(Io) naming this rank.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "core/config.h"

namespace s4seg {

struct DistOptions {
  int rank = 0;
  int world = 1;
  std::string host = "127.0.0.1";  // the rendezvous store (served by rank 0)
  int port = 29500;
  std::string backend = "auto";    // auto (nccl on CUDA, gloo on CPU) | gloo | nccl
  std::string interface;           // Gloo: network interface to bind ("" = by the host name)
  double timeout_seconds = 300;
  // Reads dist.* keys; throws Error(InvalidArgument) for a rank outside the world or a bad address.
  static DistOptions from_config(const Config& c);
};

// The process group for dist.backend `setting` and a model on `device`: auto is nccl on CUDA and
// gloo on the CPU. Throws Error(InvalidArgument) for an unknown name or nccl on the CPU, and
// Error(Unsupported) for a backend this build has not compiled in.
std::string choose_backend(const std::string& setting, const c10::Device& device);

// Thread-safety: one thread at a time (the trainer's); the collectives must be entered in the same
// order on every rank.
class Communicator {
 public:
  // Joins the job (blocks until every rank has joined or the timeout passes).
  static std::unique_ptr<Communicator> connect(const DistOptions& o, c10::Device device);
  ~Communicator();
  int rank() const { return rank_; }
  int world() const { return world_; }
  const std::string& backend() const { return backend_; }
  // In place: each tensor becomes the sum over the ranks. All are started before any is awaited,
  // so several buckets travel together.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);
  // In place: each tensor becomes rank `root`'s.
  void broadcast(std::vector<torch::Tensor>& tensors, int root);
  void barrier();

  // A sum started by start_gradient_sum; wait() blocks until it is done and throws Error(Io) if
  // it failed. Waiting twice is allowed.
  class PendingSum {
   public:
    void wait();

   private:
    friend class Communicator;
    std::function<void()> wait_;
    int rank_ = 0;
  };
  // Starts an in-place sum of `tensor` over the ranks and returns at once. These sums travel on a
  // channel of their own (a second process group), so they may be started from inside the
  // backward pass (which also runs SyncBatchNorm's collectives) without the two sequences
  // interleaving differently on different ranks. Every rank must start the same sums in the same
  // order. Callable from the autograd engine's thread while the owning thread waits in backward().
  PendingSum start_gradient_sum(const torch::Tensor& tensor);

 private:
  struct Impl;
  Communicator(std::unique_ptr<Impl> impl, int rank, int world, std::string backend);
  std::unique_ptr<Impl> impl_;
  int rank_, world_;
  std::string backend_;
};

}  // namespace s4seg

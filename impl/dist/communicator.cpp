#include "dist/communicator.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef S4SEG_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef S4SEG_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <functional>

#include "core/device.h"
#include "core/error.h"

namespace s4seg {

namespace {
std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0; }

// The gradient channel's process group rendezvous under its own key prefix in the same store.
c10::intrusive_ptr<c10d::Store> gradient_store(const c10::intrusive_ptr<c10d::Store>& store) {
  return c10::make_intrusive<c10d::PrefixStore>("gradients/", store);
}

}  // namespace

DistOptions DistOptions::from_config(const Config& c) {
  DistOptions o;
  o.world = static_cast<int>(c.get_int("dist.world_size"));
  o.rank = static_cast<int>(c.get_int("dist.rank"));
  require(o.rank < o.world, "dist.rank = " + std::to_string(o.rank) + " is outside dist.world_size = " + std::to_string(o.world) +
                                " (ranks are 0.." + std::to_string(o.world - 1) + ")");
  const std::string master = c.get_string("dist.master");
  const size_t colon = master.rfind(':');
  require(colon != std::string::npos && colon > 0 && colon + 1 < master.size(),
          "dist.master = '" + master + "' must be HOST:PORT (for example 127.0.0.1:29500)");
  o.host = master.substr(0, colon);
  const std::string port = master.substr(colon + 1);
  int value = 0;
  for (char ch : port) {
    require(ch >= '0' && ch <= '9' && value <= 65535, "dist.master = '" + master + "': the port must be a number in 1..65535");
    value = value * 10 + (ch - '0');
  }
  require(value >= 1 && value <= 65535, "dist.master = '" + master + "': the port must be a number in 1..65535");
  o.port = value;
  o.backend = c.get_string("dist.backend");
  o.interface = c.get_string("dist.interface");
  o.timeout_seconds = c.get_double("dist.timeout");
  return o;
}

// Two concrete process groups of one kind (the second for gradient sums) behind four operations;
// the c10d class hierarchy differs between LibTorch 1.13 (ProcessGroup) and 2.x (Backend), the
// member functions used here do not.
struct Communicator::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  std::function<void(std::vector<torch::Tensor>&)> all_reduce;
  std::function<void(std::vector<torch::Tensor>&, int)> broadcast;
  std::function<void()> barrier;
  std::function<std::function<void()>(const torch::Tensor&)> start_gradient_sum;  // returns the wait

  template <typename Group>
  void bind(c10::intrusive_ptr<Group> g, c10::intrusive_ptr<Group> gradients) {
    start_gradient_sum = [gradients](const torch::Tensor& t) {
      std::vector<at::Tensor> one{t};
      c10::intrusive_ptr<c10d::Work> work = gradients->allreduce(one);
      return std::function<void()>([work] { work->wait(); });
    };
    all_reduce = [g](std::vector<torch::Tensor>& ts) {
      std::vector<c10::intrusive_ptr<c10d::Work>> pending;
      pending.reserve(ts.size());
      for (auto& t : ts) {
        std::vector<at::Tensor> one{t};
        pending.push_back(g->allreduce(one));
      }
      for (auto& w : pending) w->wait();
    };
    broadcast = [g](std::vector<torch::Tensor>& ts, int root) {
      c10d::BroadcastOptions bo;
      bo.rootRank = root;
      std::vector<c10::intrusive_ptr<c10d::Work>> pending;
      for (auto& t : ts) {
        std::vector<at::Tensor> one{t};
        pending.push_back(g->broadcast(one, bo));
      }
      for (auto& w : pending) w->wait();
    };
    barrier = [g]() { g->barrier()->wait(); };
  }
};

Communicator::Communicator(std::unique_ptr<Impl> impl, int rank, int world, std::string backend)
    : impl_(std::move(impl)), rank_(rank), world_(world), backend_(std::move(backend)) {}
Communicator::~Communicator() = default;

namespace {
// Runs a c10d call; its exceptions become Error(Io) that say which rank and what it was doing.
template <typename F>
void guarded(int rank, const std::string& what, F&& f) {
  try {
    f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(Status::Io, "data-parallel rank " + std::to_string(rank) + ": " + what + " failed (a peer exited or is unreachable?): " +
                         std::string(e.what()).substr(0, 400));
  }
}
}  // namespace

std::string choose_backend(const std::string& setting, const c10::Device& device) {
  std::string backend = setting == "auto" ? (device.is_cuda() ? "nccl" : "gloo") : setting;
  require(backend == "gloo" || backend == "nccl", "dist.backend must be auto, gloo or nccl, got '" + backend + "'");
  if (backend == "nccl" && !device.is_cuda())
    fail(Status::InvalidArgument, "dist.backend = nccl needs the model on a CUDA device; CPU training uses gloo");
  if (!backend_compiled_in(backend))
    fail(Status::Unsupported,
         backend == "gloo"
             ? "this s4seg was built without Gloo (its LibTorch ships no gloo headers): no CPU data parallel"
             : "this s4seg was built without NCCL (nccl.h was not found at build time): use dist.backend = gloo");
  return backend;
}

std::unique_ptr<Communicator> Communicator::connect(const DistOptions& o, c10::Device device) {
  const std::string backend = choose_backend(o.backend, device);
  auto impl = std::make_unique<Impl>();
  guarded(o.rank, "joining the rendezvous store", [&] {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(o.port);
    so.isServer = o.rank == 0;
    so.numWorkers = static_cast<std::size_t>(o.world);
    so.waitWorkers = true;
    so.timeout = millis(o.timeout_seconds);
    impl->store = c10::make_intrusive<c10d::TCPStore>(o.host, so);
  });
  guarded(o.rank, "creating the " + backend + " process group", [&] {
#ifdef S4SEG_WITH_GLOO
    if (backend == "gloo") {
      auto go = c10d::ProcessGroupGloo::Options::create(millis(o.timeout_seconds));
      if (!o.interface.empty())
        go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(o.interface));
      else if (is_loopback(o.host))
        go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      impl->bind(c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, o.rank, o.world, go),
                 c10::make_intrusive<c10d::ProcessGroupGloo>(gradient_store(impl->store), o.rank, o.world, go));
    }
#endif
#ifdef S4SEG_WITH_NCCL
    if (backend == "nccl") {
      auto no = c10d::ProcessGroupNCCL::Options::create();
      no->timeout = millis(o.timeout_seconds);
      impl->bind(c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, o.rank, o.world, no),
                 c10::make_intrusive<c10d::ProcessGroupNCCL>(gradient_store(impl->store), o.rank, o.world, no));
    }
#endif
  });
  auto comm = std::unique_ptr<Communicator>(new Communicator(std::move(impl), o.rank, o.world, backend));
  comm->barrier();  // every rank has its process group before anyone sends
  return comm;
}

void Communicator::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  guarded(rank_, "all-reduce", [&] { impl_->all_reduce(tensors); });
}

void Communicator::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  if (tensors.empty()) return;
  guarded(rank_, "broadcast", [&] { impl_->broadcast(tensors, root); });
}

void Communicator::barrier() {
  guarded(rank_, "barrier", [&] { impl_->barrier(); });
}

Communicator::PendingSum Communicator::start_gradient_sum(const torch::Tensor& tensor) {
  PendingSum pending;
  pending.rank_ = rank_;
  guarded(rank_, "gradient all-reduce", [&] { pending.wait_ = impl_->start_gradient_sum(tensor); });
  return pending;
}

void Communicator::PendingSum::wait() {
  if (!wait_) return;
  guarded(rank_, "gradient all-reduce", [&] { wait_(); });
}

}  // namespace s4seg

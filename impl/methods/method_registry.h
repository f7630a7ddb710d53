// The method registry: every training method is one descriptor, registered by name. The trainer,
// model creation, the C API (s4seg_method_*), the CLI, bench and demo ask it; nothing outside a
// method's own file compares method names.
//
// Adding a method: write methods/<name>.cpp with a `MethodDescriptor <name>_method()` that fills the
// descriptor below, and add one line to the built-in list in method_registry.cpp (and its
// declaration in methods.h). Hosts and tests may add their own with register_method().
//
// Thread safety: the registry is safe to read and extend from any thread (one mutex); a descriptor
// is returned by value.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "methods/method.h"

namespace s4seg {

struct MethodDescriptor;
using MethodFactory =
    std::function<std::unique_ptr<Method>(const Config& config, std::shared_ptr<Model> model, const MethodDescriptor& self)>;

// What a method's model needs, applied at model creation where the model key holds its "auto" value.
struct MethodModelDefaults {
  int64_t branches = 1;                // model.branches = 0
  std::string head = "deeplab";        // model.head = auto: "deeplab" or "mask"
  std::string discriminator = "none";  // model.discriminator = auto: "none", "patch" or "image"
  bool representation = false;         // model.rep_dim = -1: a representation head model.aspp_channels wide
};

// The teacher, mixing and filter choices a method makes where the keys say "auto".
struct MethodTrainingDefaults {
  std::string filter = "threshold";     // pseudo.filter = auto
  std::string mix = "cutmix";           // mix.type = auto
  double mix_p = 0.5;                   // mix.p = -1
  bool teacher_train_mode = false;      // teacher.mode = auto: the teacher labels in train mode
  double supervised_only_share = 0;     // train.sup_only_iters = -1: this share of train.iters
};

// Capability bits for the descriptor's constructor.
enum MethodCapability : unsigned {
  kUsesUnlabeled = 1u,  // uses_unlabeled
  kSkipsOnDevice = 2u,  // skips_on_device
  kMeanTeacher = 4u,    // mean_teacher
};

struct MethodDescriptor {
  MethodDescriptor() = default;
  // `capabilities`: MethodCapability bits; data_parallel stays true (set it after where not).
  MethodDescriptor(std::string name, std::string summary, unsigned capabilities, MethodFactory make)
      : name(std::move(name)),
        summary(std::move(summary)),
        uses_unlabeled((capabilities & kUsesUnlabeled) != 0),
        skips_on_device((capabilities & kSkipsOnDevice) != 0),
        mean_teacher((capabilities & kMeanTeacher) != 0),
        make(std::move(make)) {}

  std::string name;
  std::string summary;  // one line, for s4seg info and the method lists of the docs
  // Capabilities the trainer and the tools ask instead of comparing names.
  bool uses_unlabeled = false;
  bool skips_on_device = false;  // honours StepInputs::apply everywhere: train.read_every > 1 allowed
  bool data_parallel = true;     // may run with dist.world > 1
  bool mean_teacher = false;     // an EMA teacher labels the unlabeled images (and is the model the host holds)
  MethodModelDefaults model;
  MethodTrainingDefaults training;
  MethodFactory make;
};

// The factory of a method class whose constructor is M(config, model, descriptor).
template <class M>
std::unique_ptr<Method> construct_method(const Config& config, std::shared_ptr<Model> model, const MethodDescriptor& self) {
  return std::make_unique<M>(config, std::move(model), self);
}

// Every registered method, built-in ones first, in registration order.
std::vector<MethodDescriptor> registered_methods();
// Whether a method named `name` is registered.
bool is_registered_method(const std::string& name);
// The descriptor named `name`; Error(Unsupported) naming the registered methods otherwise.
MethodDescriptor find_method(const std::string& name);
// Adds a method; Error(InvalidArgument) when the name is empty, taken, or `make` is empty.
void register_method(MethodDescriptor descriptor);
// "supervised, fixmatch, ..." (for messages and docs); with `keep`, only the methods it accepts.
std::string method_names(const std::string& separator = ", ",
                         const std::function<bool(const MethodDescriptor&)>& keep = nullptr);

// Writes the model keys that train.method's model needs where they hold "auto" (model.branches,
// model.head, model.discriminator, model.rep_dim), so that the stored config says what was built.
void apply_method_model_defaults(Config& config);
// create_model after apply_method_model_defaults: the model train.method trains.
std::shared_ptr<Model> create_method_model(Config config);

// Builds the method named by train.method for `model`.
std::unique_ptr<Method> make_method(const Config& config, std::shared_ptr<Model> model);

}  // namespace s4seg

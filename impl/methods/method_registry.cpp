#include "methods/method_registry.h"

#include <mutex>
#include <optional>

#include "core/error.h"
#include "methods/methods.h"

namespace s4seg {

namespace {

// The built-in methods, one registration line each.
std::vector<MethodDescriptor> builtin_methods() {
  return {
      supervised_method(),
      fixmatch_method(),
      pcr_method(),
      css_method(),
      rrn_method(),
      rc2l_method(),
  };
}

struct Registry {
  std::mutex mutex;
  std::vector<MethodDescriptor> methods = builtin_methods();
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

std::vector<MethodDescriptor> registered_methods() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.methods;
}

std::string method_names(const std::string& separator, const std::function<bool(const MethodDescriptor&)>& keep) {
  std::string out;
  for (const MethodDescriptor& d : registered_methods())
    if (!keep || keep(d)) out += (out.empty() ? "" : separator) + d.name;
  return out;
}

namespace {
// The descriptor named `name`, or none.
std::optional<MethodDescriptor> lookup(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const MethodDescriptor& d : r.methods)
    if (d.name == name) return d;
  return std::nullopt;
}
}  // namespace

bool is_registered_method(const std::string& name) { return lookup(name).has_value(); }

MethodDescriptor find_method(const std::string& name) {
  std::optional<MethodDescriptor> d = lookup(name);
  if (!d) fail(Status::Unsupported, "train.method '" + name + "' is not a registered method (" + method_names() + ")");
  return *d;
}

void register_method(MethodDescriptor descriptor) {
  require(!descriptor.name.empty(), "register_method: the method needs a name");
  require(static_cast<bool>(descriptor.make), "register_method: method '" + descriptor.name + "' has no factory");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const MethodDescriptor& d : r.methods)
    require(d.name != descriptor.name, "register_method: a method named '" + descriptor.name + "' is already registered");
  r.methods.push_back(std::move(descriptor));
}

void apply_method_model_defaults(Config& config) {
  const MethodModelDefaults m = find_method(config.get_string("train.method")).model;
  if (config.get_int("model.branches") == 0) config.set_int("model.branches", m.branches);
  if (config.get_string("model.head") == "auto") config.set_string("model.head", m.head);
  if (config.get_string("model.discriminator") == "auto") config.set_string("model.discriminator", m.discriminator);
  if (config.get_int("model.rep_dim") < 0)
    config.set_int("model.rep_dim", m.representation ? config.get_int("model.aspp_channels") : 0);
}

std::shared_ptr<Model> create_method_model(Config config) {
  apply_method_model_defaults(config);
  return create_model(config);
}

std::unique_ptr<Method> make_method(const Config& config, std::shared_ptr<Model> model) {
  const MethodDescriptor d = find_method(config.get_string("train.method"));
  return d.make(config, std::move(model), d);
}

}  // namespace s4seg

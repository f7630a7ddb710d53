#include "core/error.h"
#include "methods/methods.h"

namespace s4seg {

std::unique_ptr<Method> make_method(const Config& config, std::shared_ptr<Model> model) {
  const std::string name = config.get_string("train.method");
  if (name == "supervised") return make_supervised(config, std::move(model));
  if (name == "fixmatch") return make_fixmatch(config, std::move(model));
  if (name == "pcr") return make_pcr(config, std::move(model));
  if (name == "css") return make_css(config, std::move(model));
  if (name == "rrn") return make_rrn(config, std::move(model));
  if (name == "rc2l") return make_rc2l(config, std::move(model));
  fail(Status::Unsupported, "train.method '" + name + "' is not implemented");
}

}  // namespace s4seg

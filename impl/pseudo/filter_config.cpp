#include "pseudo/filter_config.h"

namespace s4seg {

FilterOptions filter_options_from_config(const Config& c, int64_t num_classes, const std::string& method_default) {
  FilterOptions o;
  o.kind = c.get_string("pseudo.filter");
  if (o.kind == "auto") o.kind = method_default;
  o.num_classes = num_classes;
  o.threshold = o.kind == "soft" ? c.get_double("pseudo.soft_threshold") : c.get_double("pseudo.threshold");
  o.adaptive_momentum = c.get_double("pseudo.adaptive_momentum");
  o.discriminator_threshold = c.get_double("pseudo.discriminator_threshold");
  o.keep_start = c.get_double("pseudo.keep_start");
  o.keep_end = c.get_double("pseudo.keep_end");
  return o;
}

}  // namespace s4seg

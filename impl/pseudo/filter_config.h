// Reading the pseudo.* keys into FilterOptions, with the method's own filter where pseudo.filter
// is auto.
#pragma once
#include <string>

#include "core/config.h"
#include "pseudo/pseudo_labels.h"

namespace s4seg {

// `method_default`: the filter kind "auto" stands for (fixmatch: threshold, pcr: entropy,
// css: soft, the labeler: threshold).
FilterOptions filter_options_from_config(const Config& c, int64_t num_classes, const std::string& method_default);

}  // namespace s4seg

// Class names and display colours of a model, from model.class_names / model.palette, so that they
// travel with the model file (the config is stored in it).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"

namespace s4seg {

// model.class_names: "" → "class0".."classN-1"; "voc" / "cityscapes" → the benchmark's names;
// else N comma-separated names. Error(InvalidArgument) when the count differs from model.num_classes.
std::vector<std::string> class_names(const Config& config);
// model.palette: "auto" → the benchmark's colours when model.class_names names one, else the VOC
// colour map (distinct colours for any N); "voc" / "cityscapes"; or N "rrggbb" hex entries
// ("#rrggbb" too, where no config-file comment rule applies).
std::vector<std::array<uint8_t, 3>> class_palette(const Config& config);
// Both of the above, so a bad value fails at model creation rather than at first use.
void validate_class_info(const Config& config);

}  // namespace s4seg

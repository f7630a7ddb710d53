// Class names and colour palettes of the public benchmarks, indexed by the class indices their
// layouts produce (VOC: 0..20; Cityscapes: train ids 0..18), for model class names and coloured output.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace s4seg {

struct ClassTable {
  std::vector<std::string> names;
  std::vector<std::array<uint8_t, 3>> palette;  // RGB, one per name
};

// background, aeroplane, ..., tvmonitor with the VOC devkit's bit-interleaved colormap (the palette of
// the SegmentationClass PNGs).
const ClassTable& voc_class_table();
// road, sidewalk, ..., bicycle with the colours of cityscapesscripts' labels.py.
const ClassTable& cityscapes_class_table();
// "voc" or "cityscapes"; nullptr for any other name.
const ClassTable* find_class_table(const std::string& name);

}  // namespace s4seg

#include "models/benchmark_classes.h"

namespace s4seg {

namespace {
// VOCdevkit's labelcolormap: the bits of the class index spread over the high bits of R, G and B.
std::array<uint8_t, 3> voc_colour(int index) {
  int r = 0, g = 0, b = 0;
  for (int shift = 7, c = index; c > 0; --shift, c >>= 3) {
    r |= (c & 1) << shift;
    g |= ((c >> 1) & 1) << shift;
    b |= ((c >> 2) & 1) << shift;
  }
  return {static_cast<uint8_t>(r), static_cast<uint8_t>(g), static_cast<uint8_t>(b)};
}

ClassTable make_voc_table() {
  ClassTable t;
  t.names = {"background", "aeroplane", "bicycle", "bird",  "boat",        "bottle", "bus",
             "car",        "cat",       "chair",   "cow",   "diningtable", "dog",    "horse",
             "motorbike",  "person",    "pottedplant", "sheep", "sofa",    "train",  "tvmonitor"};
  for (size_t i = 0; i < t.names.size(); ++i) t.palette.push_back(voc_colour(static_cast<int>(i)));
  return t;
}

ClassTable make_cityscapes_table() {
  ClassTable t;
  t.names = {"road",       "sidewalk", "building", "wall",  "fence", "pole",  "traffic light",
             "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car",
             "truck",      "bus",      "train",    "motorcycle", "bicycle"};
  t.palette = {{128, 64, 128}, {244, 35, 232}, {70, 70, 70},    {102, 102, 156}, {190, 153, 153},
               {153, 153, 153}, {250, 170, 30}, {220, 220, 0},  {107, 142, 35},  {152, 251, 152},
               {70, 130, 180},  {220, 20, 60},  {255, 0, 0},    {0, 0, 142},     {0, 0, 70},
               {0, 60, 100},    {0, 80, 100},   {0, 0, 230},    {119, 11, 32}};
  return t;
}
}  // namespace

const ClassTable& voc_class_table() {
  static const ClassTable table = make_voc_table();
  return table;
}

const ClassTable& cityscapes_class_table() {
  static const ClassTable table = make_cityscapes_table();
  return table;
}

const ClassTable* find_class_table(const std::string& name) {
  if (name == "voc") return &voc_class_table();
  if (name == "cityscapes") return &cityscapes_class_table();
  return nullptr;
}

}  // namespace s4seg

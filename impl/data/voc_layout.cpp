// PASCAL VOC 2012, optionally with the SBD "aug" masks:
//   ROOT/JPEGImages/ID.jpg
//   ROOT/SegmentationClass/ID.png       palette PNGs: 0..20 classes, 255 the object borders
//   ROOT/SegmentationClassAug/ID.png    (optional) the 10582 SBD-augmented masks, grey PNGs, same values
//   ROOT/ImageSets/Segmentation/NAME.txt  one ID per line
#include <memory>

#include "core/error.h"
#include "data/layouts.h"
#include "io/file_util.h"

namespace s4seg {

namespace {
constexpr int kVocClasses = 21;
}  // namespace

// Masks hold class indices already; the table only rejects values no VOC mask has (21..254), which
// mean a wrong file (an RGB-converted mask, another dataset): better an error naming the file than
// training on silently ignored pixels.
std::shared_ptr<const MaskMapping> voc_mask_mapping() {
  static const std::shared_ptr<const MaskMapping> mapping = [] {
    auto m = std::make_shared<MaskMapping>();
    for (int v = 0; v < 256; ++v) m->to[v] = static_cast<uint8_t>(v);
    for (int v = 0; v < kVocClasses; ++v) m->allowed[v] = true;
    m->allowed[255] = true;
    m->convention = "PASCAL VOC class indices 0..20 or 255 (border, ignored)";
    return std::shared_ptr<const MaskMapping>(std::move(m));
  }();
  return mapping;
}

std::vector<FileSample> voc_samples(const std::string& root, const std::string& split, bool ignore_masks) {
  require_folder(root, "VOC root");
  const std::string split_path =
      is_split_name(split) ? join_path(root, "ImageSets/Segmentation/" + split + ".txt") : split;
  std::vector<SplitLine> lines;
  try {
    lines = read_split_lines(split_path);
  } catch (const Error& e) {
    fail(e.status(), "VOC split '" + split + "': " + e.what());
  }
  // Bare ids take the augmented masks when they are there, as the UniMatch-family codebases do.
  const std::string mask_folder = is_folder(join_path(root, "SegmentationClassAug")) ? "SegmentationClassAug/"
                                                                                      : "SegmentationClass/";
  std::vector<FileSample> out;
  out.reserve(lines.size());
  for (const SplitLine& sl : lines) {
    std::string image = sl.image, mask = sl.mask;
    if (mask.empty() && is_split_name(image)) {  // a bare id such as 2007_000032
      image = "JPEGImages/" + sl.image + ".jpg";
      mask = mask_folder + sl.image + ".png";
    }
    FileSample f;
    f.image_path = join_path(root, image);
    if (!ignore_masks && !mask.empty()) {
      f.mask_path = join_path(root, mask);
      f.mask_mapping = voc_mask_mapping();
    }
    f.origin = line_origin(split_path, sl.line);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace s4seg

// Cityscapes (fine annotations):
//   ROOT/leftImg8bit/SPLIT/CITY/CITY_xxxxxx_yyyyyy_leftImg8bit.png
//   ROOT/gtFine/SPLIT/CITY/CITY_xxxxxx_yyyyyy_gtFine_labelIds.png       ids 0..33 (-1 never stored)
//   ROOT/gtFine/SPLIT/CITY/CITY_xxxxxx_yyyyyy_gtFine_labelTrainIds.png  (only after the official
//                                                                          createTrainIdLabelImgs.py)
#include <algorithm>
#include <filesystem>
#include <memory>

#include "core/error.h"
#include "core/text.h"
#include "data/layouts.h"
#include "io/file_util.h"

namespace s4seg {

// The official id → trainId table (cityscapesscripts/helpers/labels.py): the 19 evaluated classes,
// every other id (void, rare classes, license plate) → 255.
std::shared_ptr<const MaskMapping> cityscapes_label_id_mapping() {
  static const std::shared_ptr<const MaskMapping> mapping = [] {
    static const uint8_t kEvaluatedIds[] = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
    auto m = std::make_shared<MaskMapping>();
    m->to.fill(255);
    m->allowed.fill(true);
    for (size_t train_id = 0; train_id < sizeof kEvaluatedIds; ++train_id)
      m->to[kEvaluatedIds[train_id]] = static_cast<uint8_t>(train_id);
    m->convention = "Cityscapes label ids";
    return std::shared_ptr<const MaskMapping>(std::move(m));
  }();
  return mapping;
}

namespace {
namespace fs = std::filesystem;

const std::string kImageSuffix = "_leftImg8bit.png";
const std::string kLabelIdsSuffix = "_labelIds.png";
const std::string kTrainIdsSuffix = "_labelTrainIds.png";

// Fills in the mask of `f` from its path as named: *_labelIds.png are mapped to train ids; a
// *_labelTrainIds.png that was never generated falls back to its *_labelIds.png sibling, mapped.
void set_mask(FileSample& f, std::string mask_path) {
  if (ends_with(mask_path, kTrainIdsSuffix) && !is_file(mask_path)) {
    std::string label_ids = mask_path.substr(0, mask_path.size() - kTrainIdsSuffix.size()) + kLabelIdsSuffix;
    if (is_file(label_ids)) mask_path = std::move(label_ids);
  }
  if (ends_with(mask_path, kLabelIdsSuffix)) f.mask_mapping = cityscapes_label_id_mapping();
  f.mask_path = std::move(mask_path);
}

// Every leftImg8bit image of a split, sorted by city then name (the order of a directory listing is
// the file system's, not something to train on).
std::vector<FileSample> scan_split(const std::string& root, const std::string& split, bool ignore_masks) {
  const std::string image_dir = join_path(root, "leftImg8bit/" + split);
  require_folder(image_dir, "Cityscapes split folder");
  std::vector<std::string> relative;  // CITY/NAME_leftImg8bit.png
  std::error_code ec;
  for (fs::directory_iterator city(image_dir, ec), end; !ec && city != end; city.increment(ec)) {
    if (!city->is_directory(ec)) continue;
    const std::string city_name = city->path().filename().string();
    for (fs::directory_iterator file(city->path(), ec); !ec && file != end; file.increment(ec)) {
      const std::string name = file->path().filename().string();
      if (ends_with(name, kImageSuffix) && file->is_regular_file(ec)) relative.push_back(city_name + "/" + name);
    }
  }
  if (ec) fail(Status::Io, "cannot list '" + image_dir + "': " + ec.message());
  if (relative.empty())
    fail(Status::Io, "Cityscapes split '" + split + "': no *" + kImageSuffix + " under '" + image_dir + "'");
  std::sort(relative.begin(), relative.end());

  std::vector<FileSample> out;
  out.reserve(relative.size());
  for (const std::string& rel : relative) {
    FileSample f;
    f.image_path = join_path(image_dir, rel);
    const std::string stem = rel.substr(0, rel.size() - kImageSuffix.size());
    if (!ignore_masks) set_mask(f, join_path(root, "gtFine/" + split + "/" + stem + "_gtFine" + kLabelIdsSuffix));
    f.origin = "Cityscapes split '" + split + "': ";
    out.push_back(std::move(f));
  }
  return out;
}
}  // namespace

std::vector<FileSample> cityscapes_samples(const std::string& root, const std::string& split, bool ignore_masks) {
  require_folder(root, "Cityscapes root");
  if (is_split_name(split)) return scan_split(root, split, ignore_masks);
  std::vector<FileSample> out;
  for (const SplitLine& sl : read_split_lines(split)) {
    FileSample f;
    f.image_path = join_path(root, sl.image);
    if (!ignore_masks && !sl.mask.empty()) set_mask(f, join_path(root, sl.mask));
    f.origin = line_origin(split, sl.line);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace s4seg

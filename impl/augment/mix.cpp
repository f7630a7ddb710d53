#include "augment/mix.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace s4seg {

namespace {

// Labels are 0..254 with 255 = ignore, so 256 class slots cover every valid label map without
// reading the largest label back from the device.
constexpr int64_t kClassSlots = 256;
constexpr int64_t kIgnore = 255;

void require_size(int64_t batch, int64_t height, int64_t width, const char* who) {
  require(batch >= 0 && height >= 1 && width >= 1, std::string(who) + ": need batch >= 0 and height, width >= 1");
}

// Integer uniform in [lo, hi] from u ~ U[0, 1).
int64_t uniform_int(double u, int64_t lo, int64_t hi) {
  return std::min(hi, lo + static_cast<int64_t>(std::floor(u * (hi - lo + 1))));
}

// K boxes per image, drawn on the host: corners of the half-open [y0, y1) × [x0, x1), row-major
// (image, box).
struct Boxes {
  int64_t per_image = 1;
  std::vector<int64_t> y0, y1, x0, x1;
  void add(int64_t y, int64_t h, int64_t x, int64_t w) {
    y0.push_back(y);
    y1.push_back(y + h);
    x0.push_back(x);
    x1.push_back(x + w);
  }
};

// mask[b, y, x] = any over k of (y0[b,k] <= y < y1[b,k] and x0[b,k] <= x < x1[b,k]): one broadcast
// comparison on the device for the whole batch.
torch::Tensor paint_boxes(const Boxes& boxes, int64_t height, int64_t width, const c10::Device& device) {
  auto lopts = torch::TensorOptions().dtype(torch::kLong).device(device);
  torch::Tensor ys = torch::arange(height, lopts).view({1, 1, height, 1});
  torch::Tensor xs = torch::arange(width, lopts).view({1, 1, 1, width});
  auto corner = [&](const std::vector<int64_t>& c) {  // (B, K, 1, 1)
    return torch::tensor(c, torch::kLong).view({-1, boxes.per_image, 1, 1}).to(device);
  };
  torch::Tensor in_rows = (ys >= corner(boxes.y0)) & (ys < corner(boxes.y1));
  torch::Tensor in_cols = (xs >= corner(boxes.x0)) & (xs < corner(boxes.x1));
  return (in_rows & in_cols).any(1);
}

}  // namespace

torch::Tensor cutmix_half_box_mask(int64_t batch, int64_t height, int64_t width, double p, const c10::Device& device) {
  require_size(batch, height, width, "cutmix_half_box_mask");
  require(p >= 0.0 && p <= 1.0, "cutmix_half_box_mask: p must be in [0, 1], got " + std::to_string(p));
  // Draws: one coin for the batch, then (width, x, y) per image; all from the default generator.
  const bool apply = torch::rand({1}, torch::kDouble).item<double>() < p;
  if (!apply || batch == 0)
    return torch::zeros({batch, height, width}, torch::TensorOptions().dtype(torch::kBool).device(device));
  torch::Tensor u = torch::rand({batch, 3}, torch::kDouble);
  auto ua = u.accessor<double, 2>();
  Boxes boxes;
  const double area = 0.5 * static_cast<double>(height) * static_cast<double>(width);
  for (int64_t b = 0; b < batch; ++b) {
    // U²PL: w uniform in (W/2, W], h = round(area / w) so h·w = H·W/2 up to w/2 pixels.
    const int64_t w = uniform_int(ua[b][0], width / 2 + 1, width);
    const int64_t h = std::clamp<int64_t>(std::llround(area / static_cast<double>(w)), 0, height);
    const int64_t x = uniform_int(ua[b][1], 0, width - w), y = uniform_int(ua[b][2], 0, height - h);
    boxes.add(y, h, x, w);
  }
  return paint_boxes(boxes, height, width, device);
}

torch::Tensor cutmix_boxes_mask(int64_t batch, int64_t height, int64_t width, int64_t boxes, double prop_min, double prop_max,
                                const c10::Device& device) {
  require_size(batch, height, width, "cutmix_boxes_mask");
  require(boxes >= 1, "cutmix_boxes_mask: boxes must be >= 1, got " + std::to_string(boxes));
  require(prop_min >= 0.0 && prop_min <= prop_max && prop_max <= 1.0, "cutmix_boxes_mask: need 0 <= prop_min <= prop_max <= 1");
  if (batch == 0) return torch::zeros({0, height, width}, torch::TensorOptions().dtype(torch::kBool).device(device));
  // CPS BoxMaskGenerator (prop_by_area, random_aspect_ratio, within_bounds, invert), per box:
  //   prop ~ U[prop_min, prop_max]; y_prop = prop^v, x_prop = prop / y_prop (v ~ U[0,1]) so that
  //   y_prop·x_prop = prop; both scaled by sqrt(1/boxes) → box area = prop/boxes of the image;
  //   size = round((y_prop, x_prop)·(H, W)), position = round(((H, W) - size)·U[0,1)).
  // CPS flips the mask inside each box (overlaps cancel); here the boxes are united as mix.h
  // documents, so every drawn box is pasted.
  torch::Tensor u = torch::rand({batch, boxes, 4}, torch::kDouble);
  auto ua = u.accessor<double, 3>();
  Boxes drawn;
  drawn.per_image = boxes;
  const double fac = std::sqrt(1.0 / static_cast<double>(boxes));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t k = 0; k < boxes; ++k) {
      const double prop = prop_min + (prop_max - prop_min) * ua[b][k][0];
      // prop = 0 would make x_prop = 0 / 0^v = 0/0: an empty box instead, as CPS's zero_mask does.
      const double yp = prop > 0 ? std::pow(prop, ua[b][k][1]) : 0.0;
      const double xp = prop > 0 ? prop / yp : 0.0;
      const int64_t h = std::clamp<int64_t>(std::llround(yp * fac * height), 0, height);
      const int64_t w = std::clamp<int64_t>(std::llround(xp * fac * width), 0, width);
      const int64_t y = std::llround((height - h) * ua[b][k][2]), x = std::llround((width - w) * ua[b][k][3]);
      drawn.add(y, h, x, w);
    }
  }
  return paint_boxes(drawn, height, width, device);
}

torch::Tensor classmix_mask(const torch::Tensor& labels) {
  require(labels.defined() && labels.dim() == 3 && labels.scalar_type() == torch::kLong,
          "classmix_mask: labels must be int64 (B, H, W)");
  const int64_t B = labels.size(0);
  if (labels.numel() == 0) return torch::zeros(labels.sizes(), labels.options().dtype(torch::kBool));
  // Labels outside [0, 254] count as ignored: mapped to 255 on the device rather than checked on
  // the host, so that a queued step (train.read_every > 1) does not wait here.
  torch::Tensor flat = labels.reshape({B, -1});
  flat = torch::where((flat >= 0) & (flat < kIgnore), flat, torch::full_like(flat, kIgnore));
  // present[b, c]: class c occurs in image b (255 excluded).
  torch::Tensor present = torch::zeros({B, kClassSlots}, labels.options().dtype(torch::kBool));
  present.scatter_(1, flat, true);
  present.select(1, kIgnore).fill_(false);
  // Choose ceil(n/2) present classes uniformly: give every present class a U[0,1) score and
  // absent ones 2, rank the scores, keep the ranks below ceil(n/2).
  torch::Tensor n = present.sum(1, /*keepdim=*/true);
  torch::Tensor keep = torch::div(n + 1, 2, "floor");
  torch::Tensor score = torch::rand({B, kClassSlots}).to(labels.device());
  score = torch::where(present, score, torch::full_like(score, 2.0));
  torch::Tensor order = std::get<1>(score.sort(1));
  torch::Tensor rank =
      torch::empty_like(order).scatter_(1, order, torch::arange(kClassSlots, order.options()).expand({B, kClassSlots}));
  torch::Tensor chosen = (rank < keep) & present;
  return chosen.gather(1, flat).view(labels.sizes());
}

torch::Tensor partner_index(int64_t batch, const c10::Device& device) {
  require(batch >= 1, "partner_index: batch must be >= 1");
  // (i + 1) mod B
  return torch::roll(torch::arange(batch, torch::TensorOptions().dtype(torch::kLong).device(device)), -1);
}

std::vector<torch::Tensor> apply_mix(const torch::Tensor& mask, const torch::Tensor& partner,
                                     const std::vector<torch::Tensor>& tensors) {
  require(mask.defined() && mask.dim() == 3 && mask.scalar_type() == torch::kBool, "apply_mix: mask must be bool (B, H, W)");
  const int64_t B = mask.size(0), H = mask.size(1), W = mask.size(2);
  require(partner.defined() && partner.dim() == 1 && partner.size(0) == B && partner.scalar_type() == torch::kLong,
          "apply_mix: partner must be int64 (B)");
  std::vector<torch::Tensor> out;
  out.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const torch::Tensor& t = tensors[i];
    const std::string who = "apply_mix: tensor " + std::to_string(i);
    require(t.defined() && t.dim() >= 3, who + " must be (B, ..., H, W)");
    require(t.size(0) == B && t.size(-2) == H && t.size(-1) == W, who + " does not match the mask's (B, H, W)");
    // Mask (B, H, W) → (B, 1, ..., 1, H, W) to broadcast over the tensor's middle dimensions.
    std::vector<int64_t> shape(static_cast<size_t>(t.dim()), 1);
    shape.front() = B;
    shape[shape.size() - 2] = H;
    shape.back() = W;
    torch::Tensor m = mask.to(t.device()).reshape(shape);
    out.push_back(torch::where(m, t.index_select(0, partner.to(t.device())), t));
  }
  return out;
}

torch::Tensor paste_mask(const MixOptions& o, int64_t batch, int64_t height, int64_t width, const torch::Tensor& labels,
                         const torch::Tensor& partner, const c10::Device& device) {
  torch::NoGradGuard ng;
  if (o.type == "cutmix") return cutmix_half_box_mask(batch, height, width, o.p, device);
  if (o.type == "boxes" && o.p > 0) return cutmix_boxes_mask(batch, height, width, o.boxes, o.box_min, o.box_max, device);
  if (o.type == "classmix" && o.p > 0) return classmix_mask(labels).index_select(0, partner);
  return torch::zeros({batch, height, width}, torch::TensorOptions().dtype(torch::kBool).device(device));
}

}  // namespace s4seg

#include "augment/strong.h"

#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "augment/input.h"
#include "core/error.h"

namespace s4seg {

namespace F = torch::nn::functional;

namespace {

// ITU-R 601 luma weights, as torchvision's rgb_to_grayscale.
constexpr double kLumaR = 0.299, kLumaG = 0.587, kLumaB = 0.114;

void require_images(const torch::Tensor& x, const char* who) {
  require(x.defined() && x.dim() == 4 && x.size(1) == 3 && x.is_floating_point(),
          std::string(who) + ": images must be float (B, 3, H, W)");
}

// Per-image factors (B) → (B, 1, 1, 1) in the images' dtype and device, for broadcasting.
torch::Tensor per_image(const torch::Tensor& factor, const torch::Tensor& x, const char* who) {
  require(factor.defined() && factor.dim() == 1 && factor.size(0) == x.size(0),
          std::string(who) + ": expected one factor per image");
  return factor.to(x.device(), x.scalar_type()).view({-1, 1, 1, 1});
}

// (B, 1, H, W) luma.
torch::Tensor luma(const torch::Tensor& x) {
  return x.narrow(1, 0, 1) * kLumaR + x.narrow(1, 1, 1) * kLumaG + x.narrow(1, 2, 1) * kLumaB;
}

// f·x + (1-f)·base, clamped to [0, 1] as torchvision's _blend does for float images.
torch::Tensor blend(const torch::Tensor& x, const torch::Tensor& base, const torch::Tensor& f) {
  return (f * x + (1 - f) * base).clamp(0.0, 1.0);
}

// RGB → (h, s, v), each (B, H, W), h in [0, 1). torchvision's _rgb2hsv: with c = max - min,
// h = (b-g)/c on the red sector, 2 + (r-b)/c on green, 4 + (g-r)/c on blue, divided by 6.
torch::Tensor rgb_to_hsv(const torch::Tensor& x) {
  torch::Tensor r = x.select(1, 0), g = x.select(1, 1), b = x.select(1, 2);
  torch::Tensor maxc = std::get<0>(x.max(1)), minc = std::get<0>(x.min(1));
  torch::Tensor grey = maxc == minc;
  torch::Tensor c = maxc - minc;
  torch::Tensor ones = torch::ones_like(maxc);
  // Greys (c = 0) get s = 0 and h = 0; the where() keeps the divisions finite.
  torch::Tensor s = c / torch::where(grey, ones, maxc);
  torch::Tensor cd = torch::where(grey, ones, c);
  torch::Tensor rc = (maxc - r) / cd, gc = (maxc - g) / cd, bc = (maxc - b) / cd;
  torch::Tensor is_r = maxc == r, is_g = (maxc == g) & ~is_r;
  torch::Tensor h = torch::where(is_r, bc - gc, torch::where(is_g, 2.0 + rc - bc, 4.0 + gc - rc));
  h = torch::remainder(h / 6.0, 1.0);
  return torch::stack({h, s, maxc}, 1);
}

// Picks, per pixel, choices[sector] with sector in 0..5 (B, H, W).
torch::Tensor pick_sector(const torch::Tensor& sector, const std::vector<torch::Tensor>& choices) {
  return torch::stack(choices, 0).gather(0, sector.unsqueeze(0)).squeeze(0);
}

// (h, s, v) → RGB, torchvision's _hsv2rgb: sector i = floor(6h), f = 6h - i,
// p = v(1-s), q = v(1-sf), t = v(1-s(1-f)); (r,g,b) per sector is
// (v,t,p) (q,v,p) (p,v,t) (p,q,v) (t,p,v) (v,p,q).
torch::Tensor hsv_to_rgb(const torch::Tensor& hsv) {
  torch::Tensor h = hsv.select(1, 0), s = hsv.select(1, 1), v = hsv.select(1, 2);
  torch::Tensor i = torch::floor(h * 6.0);
  torch::Tensor f = h * 6.0 - i;
  torch::Tensor sector = torch::remainder(i.to(torch::kLong), 6);  // h = 1 after rounding → sector 0
  torch::Tensor p = (v * (1.0 - s)).clamp(0.0, 1.0);
  torch::Tensor q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
  torch::Tensor t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
  torch::Tensor r = pick_sector(sector, {v, q, p, p, t, v});
  torch::Tensor g = pick_sector(sector, {t, v, v, q, p, p});
  torch::Tensor b = pick_sector(sector, {p, p, t, v, v, q});
  return torch::stack({r, g, b}, 1);
}

// Normalised 1-D Gaussian kernels, one row per image: (B, 2r+1), w_k ∝ exp(-k²/(2σ²)), k = -r..r.
// Normalising after truncation keeps a constant image constant.
torch::Tensor gaussian_kernels(const torch::Tensor& sigma, int64_t radius) {
  torch::Tensor k = torch::arange(-radius, radius + 1, sigma.options()).view({1, -1});
  torch::Tensor s = sigma.view({-1, 1});
  torch::Tensor w = torch::exp(-(k * k) / (2.0 * s * s));
  return w / w.sum(1, /*keepdim=*/true);
}

// One separable pass over (1, B·3, H, W) along `dim` (2 = rows, 3 = columns) with reflect
// padding; every (image, channel) plane is its own conv group, so the whole batch is a single
// depthwise convolution.
torch::Tensor blur_pass(const torch::Tensor& planes, const torch::Tensor& kernels, int64_t radius, int64_t dim) {
  if (radius == 0) return planes;
  const int64_t groups = planes.size(1);
  torch::Tensor w = kernels.repeat_interleave(groups / kernels.size(0), 0);  // plane b·3+c gets image b's kernel
  torch::Tensor weight = dim == 3 ? w.view({groups, 1, 1, -1}) : w.view({groups, 1, -1, 1});
  std::vector<int64_t> pad = dim == 3 ? std::vector<int64_t>{radius, radius, 0, 0} : std::vector<int64_t>{0, 0, radius, radius};
  torch::Tensor padded = F::pad(planes, F::PadFuncOptions(pad).mode(torch::kReflect));
  return F::conv2d(padded, weight, F::Conv2dFuncOptions().groups(groups));
}

// The blur with the kernel radius given by the caller (so strong_photometric need not read
// sigma back from the device). Reflect padding needs radius < side, so the radius is clipped per
// axis; the truncated kernel is renormalised.
torch::Tensor blur_with_radius(const torch::Tensor& x, const torch::Tensor& sigma, int64_t radius) {
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  if (B == 0) return x.clone();
  const int64_t rx = std::min(radius, W - 1), ry = std::min(radius, H - 1);
  torch::Tensor s = sigma.to(x.device(), x.scalar_type());
  torch::Tensor planes = x.reshape({1, B * C, H, W});
  planes = blur_pass(planes, gaussian_kernels(s, rx), rx, 3);
  planes = blur_pass(planes, gaussian_kernels(s, ry), ry, 2);
  return planes.reshape({B, C, H, W});
}

// 3σ covers 99.7% of the Gaussian's mass.
int64_t blur_radius(double sigma_max) { return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(3.0 * sigma_max))); }

// ImageNet statistics in [0, 1] units; normalize_images applies them to 0..255 pixels.
torch::Tensor denormalize(const torch::Tensor& images) {
  auto opts = images.options();
  torch::Tensor mean = torch::tensor({0.485, 0.456, 0.406}, opts).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({0.229, 0.224, 0.225}, opts).view({1, 3, 1, 1});
  return images * std + mean;
}

void require_probability(double p, const char* name) {
  require(p >= 0.0 && p <= 1.0, std::string("strong_photometric: ") + name + " must be in [0, 1], got " + std::to_string(p));
}

void validate(const StrongAugOptions& o) {
  require_probability(o.jitter_p, "jitter_p");
  require_probability(o.grey_p, "grey_p");
  require_probability(o.blur_p, "blur_p");
  // Factors are drawn from [1-b, 1+b]: b <= 1 keeps them non-negative.
  require_probability(o.brightness, "brightness");
  require_probability(o.contrast, "contrast");
  require_probability(o.saturation, "saturation");
  require(o.hue >= 0.0 && o.hue <= 0.5, "strong_photometric: hue must be in [0, 0.5], got " + std::to_string(o.hue));
  require(o.blur_sigma_min > 0.0 && o.blur_sigma_min <= o.blur_sigma_max,
          "strong_photometric: need 0 < blur_sigma_min <= blur_sigma_max");
}

// All per-image draws of one call, made on the CPU from the default generator in a fixed order
// and count, so the random stream consumed does not depend on the options.
struct Draws {
  torch::Tensor jitter, brightness, contrast, saturation, hue, grey, blur, sigma;  // (B) each
};

Draws draw(int64_t batch, const StrongAugOptions& o, const torch::Tensor& like) {
  // One host-to-device copy for all eight rows; kept in double until used so that u < 1 holds
  // (a float cast could round u up to 1 and make a p = 1 coin fail).
  torch::Tensor u = torch::rand({8, batch}, torch::kDouble).to(like.device());
  // a + (b-a)·u for u ~ U[0, 1).
  auto uniform = [&](int64_t row, double a, double b) { return (a + (b - a) * u[row]).to(like.scalar_type()); };
  auto coin = [&](int64_t row, double p) { return u[row] < p; };
  Draws d;
  d.jitter = coin(0, o.jitter_p);
  d.brightness = uniform(1, 1.0 - o.brightness, 1.0 + o.brightness);
  d.contrast = uniform(2, 1.0 - o.contrast, 1.0 + o.contrast);
  d.saturation = uniform(3, 1.0 - o.saturation, 1.0 + o.saturation);
  d.hue = uniform(4, -o.hue, o.hue);
  d.grey = coin(5, o.grey_p);
  d.blur = coin(6, o.blur_p);
  d.sigma = uniform(7, o.blur_sigma_min, o.blur_sigma_max);
  return d;
}

// Where the per-image flag is set, take `changed`, else keep `x`.
torch::Tensor where_image(const torch::Tensor& flag, const torch::Tensor& changed, const torch::Tensor& x) {
  return torch::where(flag.view({-1, 1, 1, 1}), changed, x);
}

}  // namespace

torch::Tensor adjust_brightness(const torch::Tensor& x, const torch::Tensor& factor) {
  require_images(x, "adjust_brightness");
  // f·x + (1-f)·0
  return (x * per_image(factor, x, "adjust_brightness")).clamp(0.0, 1.0);
}

torch::Tensor adjust_contrast(const torch::Tensor& x, const torch::Tensor& factor) {
  require_images(x, "adjust_contrast");
  // f·x + (1-f)·m with m the image's mean luma (one scalar per image).
  torch::Tensor mean = luma(x).mean({1, 2, 3}, /*keepdim=*/true);
  return blend(x, mean, per_image(factor, x, "adjust_contrast"));
}

torch::Tensor adjust_saturation(const torch::Tensor& x, const torch::Tensor& factor) {
  require_images(x, "adjust_saturation");
  // f·x + (1-f)·luma(x), per pixel.
  return blend(x, luma(x), per_image(factor, x, "adjust_saturation"));
}

torch::Tensor adjust_hue(const torch::Tensor& x, const torch::Tensor& shift) {
  require_images(x, "adjust_hue");
  torch::Tensor hsv = rgb_to_hsv(x);
  // h ← (h + shift) mod 1; remainder() is the floored modulo, so negative shifts wrap correctly.
  torch::Tensor h = torch::remainder(hsv.narrow(1, 0, 1) + per_image(shift, x, "adjust_hue"), 1.0);
  return hsv_to_rgb(torch::cat({h, hsv.narrow(1, 1, 2)}, 1));
}

torch::Tensor to_greyscale(const torch::Tensor& x) {
  require_images(x, "to_greyscale");
  return luma(x).repeat({1, 3, 1, 1});  // a real copy, not an expanded view, so callers may write to it
}

torch::Tensor gaussian_blur(const torch::Tensor& x, const torch::Tensor& sigma) {
  require_images(x, "gaussian_blur");
  require(sigma.defined() && sigma.dim() == 1 && sigma.size(0) == x.size(0), "gaussian_blur: expected one sigma per image");
  if (x.size(0) == 0) return x.clone();
  // One read-back of the largest sigma sizes the shared kernel; smaller sigmas just have
  // near-zero tails.
  const double sigma_max = sigma.max().item<double>();
  require(sigma.min().item<double>() > 0.0, "gaussian_blur: sigma must be > 0");
  return blur_with_radius(x, sigma, blur_radius(sigma_max));
}

torch::Tensor strong_photometric(const torch::Tensor& images, const StrongAugOptions& o) {
  require_images(images, "strong_photometric");
  validate(o);
  Draws d = draw(images.size(0), o, images);
  torch::Tensor x = denormalize(images);
  if (o.jitter_p > 0) {
    // Fixed order brightness → contrast → saturation → hue (torchvision's ColorJitter permutes
    // the order per call; a fixed order keeps the draws simple and the result reproducible).
    torch::Tensor j = adjust_brightness(x, d.brightness);
    j = adjust_contrast(j, d.contrast);
    j = adjust_saturation(j, d.saturation);
    j = adjust_hue(j, d.hue);
    x = where_image(d.jitter, j, x);
  }
  if (o.grey_p > 0) x = where_image(d.grey, to_greyscale(x), x);
  if (o.blur_p > 0) x = where_image(d.blur, blur_with_radius(x, d.sigma, blur_radius(o.blur_sigma_max)), x);
  // normalize_images expects 0..255 pixels.
  return normalize_images(x.clamp(0.0, 1.0) * 255.0);
}

}  // namespace s4seg

// Synthetic segmentation scenes: a smooth noisy background (class 0) with 2..5 overlapping
// objects. Each class k >= 1 has its own shape (disc, box, triangle), texture (stripes, checker,
// dots, ...) and hue, with per-object jitter, so the task needs colour and texture cues.
#include <cmath>
#include <cstdint>

#include "data/dataset.h"

namespace s4seg {

namespace {
// splitmix64: small, portable and deterministic across standard libraries.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  int integer(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }
};

void hue_to_rgb(double h, double s, double v, double rgb[3]) {
  h = h - std::floor(h);
  double c = v * s, x = c * (1 - std::fabs(std::fmod(h * 6, 2) - 1)), m = v - c;
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(h * 6) % 6) {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
  }
  rgb[0] = (r + m) * 255;
  rgb[1] = (g + m) * 255;
  rgb[2] = (b + m) * 255;
}

// Texture value in [0,1] for class k at pixel (x, y); `f` is the object's spatial frequency.
double texture(int k, double x, double y, double f, double phase) {
  switch ((k - 1) % 5) {
    case 0: return 0.5 + 0.5 * std::sin(x * f + phase);                       // vertical stripes
    case 1: return 0.5 + 0.5 * std::sin(y * f + phase);                       // horizontal stripes
    case 2: return (static_cast<int>(std::floor(x * f / 3.2) + std::floor(y * f / 3.2)) & 1) ? 1.0 : 0.0;  // checker
    case 3: return 0.5 + 0.5 * std::sin((x + y) * f * 0.7 + phase);           // diagonal stripes
    default: {                                                                // dots
      double u = std::sin(x * f * 0.8) * std::sin(y * f * 0.8);
      return u > 0.3 ? 1.0 : 0.2;
    }
  }
}

bool inside(int kind, double dx, double dy, double r) {
  switch (kind) {
    case 0: return dx * dx + dy * dy <= r * r;                          // disc
    case 1: return std::fabs(dx) <= r && std::fabs(dy) <= r * 0.7;      // box
    default: return dy <= r * 0.8 && dy >= -r + 2 * std::fabs(dx);       // triangle
  }
}
}  // namespace

LoadedSample make_synthetic_sample(int32_t width, int32_t height, int32_t num_classes, uint64_t seed) {
  Rng rng{seed};
  LoadedSample out;
  Image& img = out.image;
  Image& mask = out.mask;
  img.width = mask.width = width;
  img.height = mask.height = height;
  img.channels = 3;
  mask.channels = 1;
  size_t n = static_cast<size_t>(width) * height;
  std::vector<double> rgb(n * 3);
  mask.pixels.assign(n, 0);

  // Background: muted colour, smooth gradient.
  double bg[3], bg2[3];
  hue_to_rgb(rng.uniform(), 0.15, rng.uniform(0.35, 0.6), bg);
  hue_to_rgb(rng.uniform(), 0.15, rng.uniform(0.35, 0.6), bg2);
  double gx = rng.uniform(-1, 1), gy = rng.uniform(-1, 1);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      double t = 0.5 + 0.5 * std::tanh(gx * (x - width / 2.0) / width * 3 + gy * (y - height / 2.0) / height * 3);
      for (int c = 0; c < 3; ++c) rgb[(static_cast<size_t>(y) * width + x) * 3 + c] = bg[c] * (1 - t) + bg2[c] * t;
    }

  if (num_classes > 1) {
    int objects = rng.integer(2, 5);
    double side = std::min(width, height);
    for (int o = 0; o < objects; ++o) {
      int k = rng.integer(1, num_classes - 1);
      int kind = (k - 1) % 3;
      double r = rng.uniform(0.12, 0.3) * side;
      double cx = rng.uniform(0, width), cy = rng.uniform(0, height);
      double base[3];
      // Hues spread by the golden ratio; value jitter per object.
      hue_to_rgb(0.61803398875 * k, 0.75, rng.uniform(0.7, 1.0), base);
      double f = rng.uniform(0.9, 1.3) * 6.2831853 / std::max(4.0, side / 10.0);
      double phase = rng.uniform(0, 6.2831853);
      int x0 = std::max(0, static_cast<int>(cx - r) - 1), x1 = std::min(width - 1, static_cast<int>(cx + r) + 1);
      int y0 = std::max(0, static_cast<int>(cy - r) - 1), y1 = std::min(height - 1, static_cast<int>(cy + r) + 1);
      for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
          if (!inside(kind, x - cx, y - cy, r)) continue;
          size_t i = static_cast<size_t>(y) * width + x;
          double t = texture(k, x, y, f, phase);
          for (int c = 0; c < 3; ++c) rgb[i * 3 + c] = base[c] * (0.45 + 0.55 * t);
          mask.pixels[i] = static_cast<uint8_t>(k);
        }
    }
  }

  img.pixels.resize(n * 3);
  for (size_t i = 0; i < n * 3; ++i) {
    double v = rgb[i] + rng.uniform(-18, 18);  // sensor noise
    img.pixels[i] = static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : std::lround(v));
  }
  return out;
}

}  // namespace s4seg

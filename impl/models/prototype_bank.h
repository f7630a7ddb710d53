// Class prototypes in feature space (ALGORITHMS.md 1.7): C classes × M micro-prototypes × D dims,
// cosine scoring with max over M and a temperature, initialised from a first batch or by per-class
// k-means, updated by EMA without gradient. PCR uses M = 4, D = decoder feature; CSS M = 1,
// D = representation head.
#pragma once
#include <torch/types.h>

#include <string>

#include "dist/rank_group.h"
#include "io/records.h"

namespace s4seg {

struct PrototypeBankOptions {
  int64_t classes = 2;
  int64_t per_class = 1;     // M
  int64_t dim = 256;         // D
  double temperature = 0.1;  // logits = max_m cos / temperature
  double momentum = 0.99;    // p ← momentum·p + (1-momentum)·mean
};

struct PrototypeScores {
  torch::Tensor logits;  // float (P, C): max over m of cos(x, p_{c,m}) / temperature (grad flows into x)
  torch::Tensor match;   // int64 (P, C): argmax over m
};

// Not thread-safe; owned by one method.
class PrototypeBank {
 public:
  PrototypeBank(const PrototypeBankOptions& o, const c10::Device& device);

  // `features`: (P, D). Prototypes are L2-normalised copies; no gradient into them.
  PrototypeScores score(const torch::Tensor& features) const;
  // Dense version for feature maps (B, D, h, w): logits (B, C, h, w) (max over M, / temperature).
  torch::Tensor score_map(const torch::Tensor& feature_map) const;

  // For each class not yet initialised that has pixels in `labels` (int64 (P), 255 ignored):
  // micro-prototype m is the mean of a random 1/M share of that class's features (M = 1: the
  // class mean). Marks those classes initialised.
  void init_from_batch(const torch::Tensor& features, const torch::Tensor& labels);
  // Per-class k-means (M centres, `iterations` Lloyd steps, seeded from LibTorch's generator) over
  // `features` (P, D) with `labels` (P); classes with fewer than M pixels are left as they are.
  // Initial centres are M distinct random pixels of the class; pixels join the centre of highest
  // cosine similarity (the bank's metric); a centre becomes the mean of the raw (unnormalised)
  // features of its pixels (the scale ema_update averages in); an empty cluster keeps its centre.
  // Overwrites classes already initialised and marks the ones it set.
  void init_kmeans(const torch::Tensor& features, const torch::Tensor& labels, int64_t iterations = 10);

  // EMA update (no gradient): for each (c, m) with at least one pixel where labels == c,
  // match[pixel, c] == m and `mask` (bool (P), optional) is true:
  //   p_{c,m} ← momentum·p_{c,m} + (1 - momentum)·mean(features of those pixels).
  // A class never initialised is set to the mean instead (first sighting, CSS): all M of its
  // micro-prototypes become the mean of all its selected pixels, whatever their match.
  // With `ranks` (a data-parallel job), the per-(c, m) feature sums and pixel counts are summed
  // over the ranks first, so every rank applies the update of the whole job's batch (the one a
  // single process with all the ranks' pixels would apply); every rank must call it.
  // With `apply` (bool scalar on the bank's device, train.read_every > 1) the bank moves only where
  // it is true, decided on the device.
  void ema_update(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& match,
                  const torch::Tensor& mask = {}, const RankGroup* ranks = nullptr, const torch::Tensor& apply = {});

  const torch::Tensor& prototypes() const { return protos_; }     // float (C, M, D), not normalised
  const torch::Tensor& initialized() const { return ready_; }     // bool (C)
  bool all_initialized() const;
  const PrototypeBankOptions& options() const { return options_; }

  void save(Records& out, const std::string& prefix) const;
  // Throws Error(Format) naming `who` on missing or mis-shaped records; unchanged on error.
  void load(const Records& in, const std::string& prefix, const std::string& who);

 private:
  PrototypeBankOptions options_;
  torch::Tensor protos_;
  torch::Tensor ready_;
};

}  // namespace s4seg

// Pseudo-labels from teacher probabilities and the filters that thin them out (ALGORITHMS.md
// section 7 "PseudoLabeler"). Filters share one interface and compose: each one reads and narrows
// a PseudoLabels in place (drops set the label to 255 and the weight to 0; soft filters scale the
// weight), so "agreement then soft weighting" is two calls.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>

#include "io/records.h"

namespace s4seg {

struct PseudoLabels {
  torch::Tensor labels;      // int64 (B, H, W); 255 where filtered out (or ignored upstream)
  torch::Tensor confidence;  // float (B, H, W): max class probability of the teacher
  torch::Tensor entropy;     // float (B, H, W): -Σ p log p of the teacher
  torch::Tensor weight;      // float (B, H, W): 0 where dropped, 1 where kept, in (0,1] when soft
};

// argmax / max / entropy of `probs` (float (B, C, H, W), softmax over C); weight 1 everywhere.
// Pixels where `ignore` (bool (B, H, W), optional) is true start as 255 with weight 0 (padding).
PseudoLabels pseudo_labels_from_probs(const torch::Tensor& probs, const torch::Tensor& ignore = {});

// Per-class counts over the current labels: `predicted[c]` = pixels whose teacher argmax is c
// (before filtering, padding excluded), `kept[c]` = those still labelled c with weight > 0.
// Both int64 (C) on the labels' device.
struct KeepStats {
  torch::Tensor predicted;
  torch::Tensor kept;
};

// Where training stands, for filters that anneal or adapt.
struct FilterContext {
  int64_t iteration = 0;
  int64_t total_iterations = 1;
  torch::Tensor proto_labels;  // int64 (B, H, W): the prototype-space argmax (agreement filter)
  torch::Tensor region_score;  // float (B, H, W): the discriminator score of each pixel's region (discriminator filter)
  torch::Tensor apply;         // optional bool scalar on the device: where false, adaptive state stays as it is
};

class PseudoFilter {
 public:
  virtual ~PseudoFilter() = default;
  virtual void apply(PseudoLabels& pl, const FilterContext& ctx) = 0;
  virtual std::string name() const = 0;
  // State that adapts during training (class-adaptive thresholds), as records under `prefix`.
  virtual void save(Records& /*out*/, const std::string& /*prefix*/) const {}
  virtual void load(const Records& /*in*/, const std::string& /*prefix*/, const std::string& /*who*/) {}
};

struct FilterOptions {
  // threshold | class_adaptive | entropy | soft | agreement | discriminator | none
  std::string kind = "threshold";
  int64_t num_classes = 2;
  double threshold = 0.95;          // threshold, class_adaptive (global τ), soft (δ_u)
  double adaptive_momentum = 0.999; // class_adaptive: EMA of per-class mean confidence
  double keep_start = 0.8;          // entropy: fraction kept at iteration 0, annealed linearly to
  double keep_end = 1.0;            //   keep_end at the last iteration (U²PL: 80 % → 100 %)
  double discriminator_threshold = 0.6;  // discriminator: keep region scores above this (RRN)
};

// Throws Error(InvalidArgument) on an unknown kind or an out-of-range value.
std::unique_ptr<PseudoFilter> make_filter(const FilterOptions& o);

// "Valid" below means label ≠ 255 when the filter is applied (so filters see earlier drops).
// threshold:      keep conf ≥ τ.
// class_adaptive: τ_c = τ · m_c / max_k m_k, m_c an EMA (momentum) of the mean confidence of the
//                 valid pixels labelled c (FreeMatch local thresholds); keep conf ≥ τ_c. m starts
//                 at 1/C (τ_c = τ), is updated from the batch before use, and a class absent from
//                 the batch keeps its m_c. Saved as `prefix + "class_confidence"`, f32 (C).
// entropy:        keep the fraction k(t) = keep_start + (keep_end - keep_start)·min(1, t/T) of the
//                 valid pixels of the whole batch with the lowest entropy: drop entropy ≥ the
//                 sorted valid entropy at index floor(k·n) (n valid pixels), so exactly floor(k·n)
//                 stay when entropies are distinct; k ≥ 1 keeps all. No host sync.
// soft:           keep every pixel; weight_i = #{p valid in image i : conf_p ≥ δ_u} / #{valid in i}
//                 multiplies the weight of the valid pixels of image i (0 for an empty image).
// agreement:      keep where labels == ctx.proto_labels (required; InvalidArgument without it).
// discriminator:  keep where ctx.region_score > discriminator_threshold (required; InvalidArgument
//                 without it): RRN's local selection by region (patch) or whole image.
// none:           keep everything valid.
// Filters replace the fields of `pl` with new tensors rather than writing into them, so a tensor
// the caller kept (e.g. the unfiltered labels for keep_stats) is not changed.

KeepStats keep_stats(const PseudoLabels& pl, const torch::Tensor& predicted_labels, int64_t num_classes);

}  // namespace s4seg

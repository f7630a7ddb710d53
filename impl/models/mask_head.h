// Mask-classification head (MaskFormer / Mask2Former family) for RC²L, ALGORITHMS.md section 5:
// N learned queries pass through a small transformer decoder over a coarse feature map, then each
// query predicts K+1 class logits (the last is "no object") and a mask embedding whose dot product
// with a per-pixel embedding of the pixel-decoder feature F gives that query's mask logits.
//
// Decoder layer (Mask2Former order, DETR post-norm):
//   q = LN(q + CrossAttn(q + qpos, mem + pos, mem))
//   q = LN(q + SelfAttn(q + qpos, q + qpos, q))
//   q = LN(q + FFN(q))
// followed by a final LayerNorm before the prediction heads. Attention is written with Linear
// layers (no torch::nn::MultiheadAttention, whose options differ between LibTorch 1.13 and 2.x);
// its softmax runs in float32 so the attention weights keep full precision under bf16 autocast.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace s4seg {

struct MaskHeadOptions {
  int64_t num_classes = 2;        // K; class logits have K+1 entries, the last is "no object"
  int64_t pixel_channels = 256;   // channels of the pixel-decoder feature F (B, pixel_channels, h, w)
  int64_t memory_channels = 256;  // channels of the coarse feature the queries attend to (B, memory_channels, h', w')
  int64_t hidden = 64;            // query / mask-embedding dimension; a multiple of heads
  int64_t queries = 16;           // N
  int64_t layers = 2;             // transformer decoder layers (≥ 1)
  int64_t heads = 4;
  int64_t ffn = 128;
  double dropout = 0.0;           // in attention weights and on each residual branch, [0, 1)
};

struct MaskHeadOutput {
  torch::Tensor class_logits;  // (B, N, K+1)
  torch::Tensor mask_logits;   // (B, N, h, w), at F's resolution: mask_embed · pixel_embed
  torch::Tensor mask_embed;    // (B, N, hidden)
  torch::Tensor pixel_embed;   // (B, hidden, h, w): 1×1 projection of F (the feature RC²L pools regions from)
};

// Multi-head scaled dot-product attention: q_proj/k_proj/v_proj/out_proj, all hidden → hidden.
class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(int64_t hidden, int64_t heads, double dropout);
  // query (B, Lq, hidden), key/value (B, Lk, hidden) → (B, Lq, hidden)
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& value);

 private:
  int64_t heads_;
  double dropout_;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(Attention);

class MaskDecoderLayerImpl : public torch::nn::Module {
 public:
  MaskDecoderLayerImpl(int64_t hidden, int64_t heads, int64_t ffn, double dropout);
  // tgt/query_pos (B, N, hidden); memory/memory_pos (B, L, hidden)
  torch::Tensor forward(torch::Tensor tgt, const torch::Tensor& query_pos, const torch::Tensor& memory,
                        const torch::Tensor& memory_pos);

 private:
  double dropout_;
  Attention cross_attn{nullptr}, self_attn{nullptr};
  torch::nn::Linear ffn_in{nullptr}, ffn_out{nullptr};
  torch::nn::LayerNorm cross_norm{nullptr}, self_norm{nullptr}, ffn_norm{nullptr};
};
TORCH_MODULE(MaskDecoderLayer);

// Parameters: query_feat, query_pos (N, hidden); input_proj (1×1 conv memory → hidden);
// layers.<i>.{cross_attn,self_attn}.{q,k,v,out}_proj, layers.<i>.ffn_{in,out}, layers.<i>.{cross,self,ffn}_norm;
// decoder_norm; class_head; mask_mlp.{0,1,2}; pixel_proj (1×1 conv F → hidden).
class MaskHeadImpl : public torch::nn::Module {
 public:
  explicit MaskHeadImpl(const MaskHeadOptions& o);
  // pixel_feature (B, pixel_channels, h, w), memory (B, memory_channels, h', w'); h, w, h', w' ≥ 1.
  MaskHeadOutput forward(torch::Tensor pixel_feature, torch::Tensor memory);

  const MaskHeadOptions& options() const { return options_; }

 private:
  MaskHeadOptions options_;
  torch::Tensor query_feat, query_pos;
  torch::nn::Conv2d input_proj{nullptr}, pixel_proj{nullptr};
  torch::nn::ModuleList layers{nullptr};
  std::vector<MaskDecoderLayer> layer_list_;
  torch::nn::LayerNorm decoder_norm{nullptr};
  torch::nn::Linear class_head{nullptr};
  torch::nn::ModuleList mask_mlp{nullptr};
  std::vector<torch::nn::Linear> mask_mlp_list_;
};
TORCH_MODULE(MaskHead);

// Fixed 2-D sine positional encoding (DETR/Mask2Former, normalised to 2π, temperature 10000):
// channels [0, hidden/2) encode y, the rest x; within each half, even channels are sin, odd cos.
// Returns float32 (h·w, hidden), row-major over (y, x).
torch::Tensor sine_position_encoding(int64_t h, int64_t w, int64_t hidden, const torch::Device& device);

// MaskFormer semantic inference: S[k] = Σ_q softmax(class_q)[k] · σ(mask_q), k < K (no-object dropped).
// class_logits (B, N, K+1), mask_logits (B, N, h, w) → (B, K, h, w), float32 (also under autocast),
// values in [0, N].
torch::Tensor mask_semantic_scores(const torch::Tensor& class_logits, const torch::Tensor& mask_logits);

// log(S / Σ_k S) with S clamped below at 1e-12 first: "logits" whose softmax is the normalised S and
// whose argmax is S's, so the rest of the library (predict, evaluate, pseudo-label confidences, CE)
// can treat a mask model like a per-pixel one. (B, K, h, w), float32, values in about [log(1e-12 / N), 0]
// (Σ_k S ≤ N). Gradients are zero where S < 1e-12.
torch::Tensor mask_semantic_logits(const torch::Tensor& class_logits, const torch::Tensor& mask_logits);

}  // namespace s4seg

#include "models/mask_head.h"

#include <torch/nn/init.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/tensor_text.h"
#include "core/torch_compat.h"

namespace s4seg {

namespace nn = torch::nn;

namespace {

constexpr double kPi = 3.14159265358979323846;
// Floor for S before the log in mask_semantic_logits: far below any score that matters, far above
// float32's smallest normal, so log stays finite and its gradient 1/S stays representable.
constexpr double kScoreFloor = 1e-12;

// DETR/Mask2Former initialisation of attention and FFN weights (xavier_uniform, zero bias); the
// LibTorch default (kaiming_uniform with a = √5) gives smaller attention logits and slower start.
nn::Linear xavier_linear(int64_t in, int64_t out) {
  nn::Linear l(nn::LinearOptions(in, out));
  nn::init::xavier_uniform_(l->weight);
  nn::init::zeros_(l->bias);
  return l;
}

// Detectron2's c2_xavier_fill, which Mask2Former uses for its 1×1 input and mask-feature projections.
nn::Conv2d projection_conv(int64_t in, int64_t out) {
  nn::Conv2d c(nn::Conv2dOptions(in, out, 1).bias(true));
  nn::init::kaiming_uniform_(c->weight, /*a=*/1.0);
  nn::init::zeros_(c->bias);
  return c;
}

torch::Tensor drop(const torch::Tensor& x, double p, bool training) {
  return p > 0 && training ? torch::dropout(x, p, true) : x;
}

// One axis of the sine encoding: (n_pos, n_ch), channel i uses frequency 10000^(-2⌊i/2⌋/n_ch),
// sin on even channels and cos on odd ones, positions at pixel centres normalised to (0, 2π).
torch::Tensor axis_encoding(int64_t n_pos, int64_t n_ch, const torch::TensorOptions& opts) {
  torch::Tensor pos = (torch::arange(n_pos, opts) + 0.5) * (2 * kPi / static_cast<double>(n_pos));
  torch::Tensor ch = torch::arange(n_ch, opts);
  torch::Tensor dim_t = torch::pow(10000.0, 2 * torch::floor(ch / 2) / static_cast<double>(std::max<int64_t>(n_ch, 1)));
  torch::Tensor arg = pos.unsqueeze(1) / dim_t.unsqueeze(0);
  torch::Tensor even = (torch::arange(n_ch, opts.dtype(torch::kLong)).remainder(2) == 0).unsqueeze(0);
  return torch::where(even, torch::sin(arg), torch::cos(arg));
}

void require_options(const MaskHeadOptions& o) {
  require(o.num_classes >= 1, "mask head: num_classes must be >= 1, got " + std::to_string(o.num_classes));
  require(o.pixel_channels >= 1 && o.memory_channels >= 1,
          "mask head: pixel_channels and memory_channels must be >= 1");
  require(o.hidden >= 1 && o.heads >= 1 && o.hidden % o.heads == 0,
          "mask head: hidden (" + std::to_string(o.hidden) + ") must be a positive multiple of heads (" +
              std::to_string(o.heads) + ")");
  require(o.queries >= 1, "mask head: queries must be >= 1, got " + std::to_string(o.queries));
  require(o.layers >= 1, "mask head: layers must be >= 1, got " + std::to_string(o.layers));
  require(o.ffn >= 1, "mask head: ffn must be >= 1, got " + std::to_string(o.ffn));
  require(o.dropout >= 0 && o.dropout < 1, "mask head: dropout must be in [0, 1), got " + std::to_string(o.dropout));
}

void require_feature(const torch::Tensor& t, const char* name, int64_t channels) {
  require(t.defined(), std::string("mask head: ") + name + " is undefined");
  require(t.dim() == 4 && t.size(1) == channels && t.size(0) >= 1 && t.size(2) >= 1 && t.size(3) >= 1,
          std::string("mask head: ") + name + " must be (B>=1, " + std::to_string(channels) + ", h>=1, w>=1), got " +
              shape_of(t));
  require(t.is_floating_point(), std::string("mask head: ") + name + " must be floating point");
}

void require_mask_pair(const torch::Tensor& class_logits, const torch::Tensor& mask_logits) {
  require(class_logits.defined() && mask_logits.defined(), "mask semantic scores: undefined input");
  require(class_logits.dim() == 3 && class_logits.size(2) >= 2,
          "mask semantic scores: class_logits must be (B, N, K+1) with K >= 1, got " + shape_of(class_logits));
  require(mask_logits.dim() == 4 && mask_logits.size(0) == class_logits.size(0) &&
              mask_logits.size(1) == class_logits.size(1),
          "mask semantic scores: mask_logits must be (B, N, h, w) matching class_logits " + shape_of(class_logits) +
              ", got " + shape_of(mask_logits));
  require(class_logits.is_floating_point() && mask_logits.is_floating_point(),
          "mask semantic scores: logits must be floating point");
  require(class_logits.device() == mask_logits.device(), "mask semantic scores: inputs on different devices");
}

}  // namespace

// ---- Attention ------------------------------------------------------------------------------------

AttentionImpl::AttentionImpl(int64_t hidden, int64_t heads, double dropout) : heads_(heads), dropout_(dropout) {
  q_proj = register_module("q_proj", xavier_linear(hidden, hidden));
  k_proj = register_module("k_proj", xavier_linear(hidden, hidden));
  v_proj = register_module("v_proj", xavier_linear(hidden, hidden));
  out_proj = register_module("out_proj", xavier_linear(hidden, hidden));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& value) {
  const int64_t b = query.size(0), lq = query.size(1), lk = key.size(1), d = query.size(2);
  const int64_t hd = d / heads_;
  auto split = [&](const torch::Tensor& x, int64_t l) { return x.reshape({b, l, heads_, hd}).transpose(1, 2); };
  // Scaling q before the product (as torch's MHA does) keeps the bf16 scores in range.
  torch::Tensor q = split(q_proj(query), lq) * (1.0 / std::sqrt(static_cast<double>(hd)));
  torch::Tensor k = split(k_proj(key), lk);
  torch::Tensor v = split(v_proj(value), lk);
  // float32 softmax: bf16 has too few mantissa bits for attention weights that must sum to 1.
  torch::Tensor attn = torch::softmax(torch::matmul(q, k.transpose(-2, -1)), -1, torch::kFloat);
  attn = drop(attn, dropout_, is_training()).to(v.scalar_type());
  torch::Tensor out = torch::matmul(attn, v).transpose(1, 2).reshape({b, lq, d});
  return out_proj(out);
}

// ---- Decoder layer --------------------------------------------------------------------------------

MaskDecoderLayerImpl::MaskDecoderLayerImpl(int64_t hidden, int64_t heads, int64_t ffn, double dropout)
    : dropout_(dropout) {
  cross_attn = register_module("cross_attn", Attention(hidden, heads, dropout));
  self_attn = register_module("self_attn", Attention(hidden, heads, dropout));
  ffn_in = register_module("ffn_in", xavier_linear(hidden, ffn));
  ffn_out = register_module("ffn_out", xavier_linear(ffn, hidden));
  cross_norm = register_module("cross_norm", nn::LayerNorm(nn::LayerNormOptions({hidden})));
  self_norm = register_module("self_norm", nn::LayerNorm(nn::LayerNormOptions({hidden})));
  ffn_norm = register_module("ffn_norm", nn::LayerNorm(nn::LayerNormOptions({hidden})));
}

torch::Tensor MaskDecoderLayerImpl::forward(torch::Tensor tgt, const torch::Tensor& query_pos,
                                            const torch::Tensor& memory, const torch::Tensor& memory_pos) {
  const bool tr = is_training();
  // Positions enter queries and keys only, never values (DETR): what is read out stays content.
  tgt = cross_norm(tgt + drop(cross_attn(tgt + query_pos, memory + memory_pos, memory), dropout_, tr));
  torch::Tensor qk = tgt + query_pos;
  tgt = self_norm(tgt + drop(self_attn(qk, qk, tgt), dropout_, tr));
  torch::Tensor f = ffn_out(drop(torch::relu(ffn_in(tgt)), dropout_, tr));
  return ffn_norm(tgt + drop(f, dropout_, tr));
}

// ---- Mask head ------------------------------------------------------------------------------------

MaskHeadImpl::MaskHeadImpl(const MaskHeadOptions& o) : options_(o) {
  require_options(o);
  // Learned query features and positions, N(0, 1) like Mask2Former's nn.Embedding: distinct
  // content per query from the start keeps query identity stable, which the EMA teacher and the
  // same-index correspondence of RC²L rely on (DETR's zero content would make queries differ
  // only through their positions).
  query_feat = register_parameter("query_feat", torch::randn({o.queries, o.hidden}));
  query_pos = register_parameter("query_pos", torch::randn({o.queries, o.hidden}));
  input_proj = register_module("input_proj", projection_conv(o.memory_channels, o.hidden));
  layers = nn::ModuleList();
  for (int64_t i = 0; i < o.layers; ++i) {
    layer_list_.push_back(MaskDecoderLayer(o.hidden, o.heads, o.ffn, o.dropout));
    layers->push_back(layer_list_.back());
  }
  register_module("layers", layers);
  decoder_norm = register_module("decoder_norm", nn::LayerNorm(nn::LayerNormOptions({o.hidden})));
  // Prediction heads keep LibTorch's default Linear initialisation (as Mask2Former keeps PyTorch's).
  class_head = register_module("class_head", nn::Linear(o.hidden, o.num_classes + 1));
  mask_mlp = nn::ModuleList();
  for (int i = 0; i < 3; ++i) {
    mask_mlp_list_.push_back(nn::Linear(o.hidden, o.hidden));
    mask_mlp->push_back(mask_mlp_list_.back());
  }
  register_module("mask_mlp", mask_mlp);
  pixel_proj = register_module("pixel_proj", projection_conv(o.pixel_channels, o.hidden));
}

MaskHeadOutput MaskHeadImpl::forward(torch::Tensor pixel_feature, torch::Tensor memory) {
  require_feature(pixel_feature, "pixel_feature", options_.pixel_channels);
  require_feature(memory, "memory", options_.memory_channels);
  require(pixel_feature.size(0) == memory.size(0), "mask head: pixel_feature batch " +
                                                       std::to_string(pixel_feature.size(0)) + " != memory batch " +
                                                       std::to_string(memory.size(0)));
  require(pixel_feature.device() == memory.device() && memory.device() == query_feat.device(),
          "mask head: pixel_feature, memory and the module must be on the same device");

  const int64_t b = pixel_feature.size(0), n = options_.queries, d = options_.hidden;
  const int64_t h = pixel_feature.size(2), w = pixel_feature.size(3);

  torch::Tensor mem = input_proj(memory);  // (B, d, h', w'), possibly channels_last
  const int64_t mh = mem.size(2), mw = mem.size(3);
  mem = mem.flatten(2).transpose(1, 2);  // (B, h'w', d)
  torch::Tensor mem_pos = sine_position_encoding(mh, mw, d, mem.device()).to(mem.scalar_type()).unsqueeze(0);

  torch::Tensor qpos = query_pos.unsqueeze(0).expand({b, n, d});
  torch::Tensor tgt = query_feat.unsqueeze(0).expand({b, n, d});
  for (auto& layer : layer_list_) tgt = layer(tgt, qpos, mem, mem_pos);
  tgt = decoder_norm(tgt);

  MaskHeadOutput out;
  out.class_logits = class_head(tgt);
  torch::Tensor e = tgt;
  for (size_t i = 0; i < mask_mlp_list_.size(); ++i) {
    e = mask_mlp_list_[i](e);
    if (i + 1 < mask_mlp_list_.size()) e = torch::relu(e);
  }
  out.mask_embed = e;
  out.pixel_embed = pixel_proj(pixel_feature);
  // reshape (not view): a channels_last pixel_embed flattens to a strided (B, d, hw) view that
  // matmul consumes directly, while the result comes out contiguous (B, N, h, w).
  out.mask_logits = torch::matmul(e, out.pixel_embed.reshape({b, d, h * w})).view({b, n, h, w});
  return out;
}

// ---- Free functions -------------------------------------------------------------------------------

torch::Tensor sine_position_encoding(int64_t h, int64_t w, int64_t hidden, const torch::Device& device) {
  require(h >= 1 && w >= 1 && hidden >= 1, "sine_position_encoding: sizes must be >= 1");
  const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(device);
  const int64_t ny = hidden / 2, nx = hidden - ny;
  torch::Tensor ey = axis_encoding(h, ny, opts).unsqueeze(1).expand({h, w, ny});
  torch::Tensor ex = axis_encoding(w, nx, opts).unsqueeze(0).expand({h, w, nx});
  return torch::cat({ey, ex}, 2).reshape({h * w, hidden});
}

torch::Tensor mask_semantic_scores(const torch::Tensor& class_logits, const torch::Tensor& mask_logits) {
  require_mask_pair(class_logits, mask_logits);
  // Autocast would run the contraction below in bf16 even on float32 inputs; the scores feed
  // argmax, pseudo-label confidences and thresholds, so they stay float32.
  NoAutocast no_autocast;
  const int64_t b = mask_logits.size(0), n = mask_logits.size(1), h = mask_logits.size(2), w = mask_logits.size(3);
  const int64_t k = class_logits.size(2) - 1;
  torch::Tensor p = torch::softmax(class_logits.to(torch::kFloat), -1).narrow(2, 0, k);  // (B, N, K)
  torch::Tensor m = torch::sigmoid(mask_logits.to(torch::kFloat)).reshape({b, n, h * w});  // (B, N, hw)
  return torch::matmul(p.transpose(1, 2), m).view({b, k, h, w});
}

torch::Tensor mask_semantic_logits(const torch::Tensor& class_logits, const torch::Tensor& mask_logits) {
  torch::Tensor s = mask_semantic_scores(class_logits, mask_logits).clamp_min(kScoreFloor);
  return s.log() - s.sum(1, /*keepdim=*/true).log();
}

}  // namespace s4seg

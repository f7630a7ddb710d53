#include "models/resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

#include "core/error.h"
#include "models/checkpoint.h"

namespace s4seg {

namespace nn = torch::nn;

namespace {
OneDnnConv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t dilation = 1) {
  return OneDnnConv2d(conv_spec(in, out, k, stride, dilation));
}

nn::Sequential make_downsample(int64_t in, int64_t out, int64_t stride) {
  return nn::Sequential(conv(in, out, 1, stride), SyncBatchNorm2d(out));
}

struct LayerPlan {
  int64_t blocks;
  int64_t planes;
  int64_t stride;
  bool dilate;
};

// torchvision's _make_layer: the first block keeps the previous dilation, the others the new one.
template <typename Block>
nn::Sequential make_layer(int64_t& inplanes, int64_t& dilation, const LayerPlan& p) {
  int64_t stride = p.stride;
  int64_t previous = dilation;
  if (p.dilate) {
    dilation *= stride;
    stride = 1;
  }
  nn::Sequential seq;
  int64_t out = p.planes * Block::ContainedType::kExpansion;
  seq->push_back(Block(inplanes, p.planes, stride, previous, stride != 1 || inplanes != out));
  inplanes = out;
  for (int64_t i = 1; i < p.blocks; ++i) seq->push_back(Block(inplanes, p.planes, 1, dilation, false));
  return seq;
}
}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t planes, int64_t stride, int64_t dilation, bool ds) {
  conv1 = register_module("conv1", conv(in, planes, 3, stride, dilation));
  bn1 = register_module("bn1", SyncBatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, 1, dilation));
  bn2 = register_module("bn2", SyncBatchNorm2d(planes));
  if (ds) downsample = register_module("downsample", make_downsample(in, planes, stride));
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor y = torch::relu(bn1(conv1(x)));
  y = bn2(conv2(y));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

BottleneckImpl::BottleneckImpl(int64_t in, int64_t planes, int64_t stride, int64_t dilation, bool ds) {
  conv1 = register_module("conv1", conv(in, planes, 1));
  bn1 = register_module("bn1", SyncBatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, stride, dilation));
  bn2 = register_module("bn2", SyncBatchNorm2d(planes));
  conv3 = register_module("conv3", conv(planes, planes * kExpansion, 1));
  bn3 = register_module("bn3", SyncBatchNorm2d(planes * kExpansion));
  if (ds) downsample = register_module("downsample", make_downsample(in, planes * kExpansion, stride));
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  torch::Tensor y = torch::relu(bn1(conv1(x)));
  y = torch::relu(bn2(conv2(y)));
  y = bn3(conv3(y));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

ResNetImpl::ResNetImpl(const ResNetOptions& o) {
  std::vector<int64_t> blocks;
  bool bottleneck = false;
  if (o.depth == "resnet18") blocks = {2, 2, 2, 2};
  else if (o.depth == "resnet34") blocks = {3, 4, 6, 3};
  else if (o.depth == "resnet50") blocks = {3, 4, 6, 3}, bottleneck = true;
  else if (o.depth == "resnet101") blocks = {3, 4, 23, 3}, bottleneck = true;
  else fail(Status::InvalidArgument, "model.backbone: unknown '" + o.depth + "'");
  require(o.output_stride == 8 || o.output_stride == 16 || o.output_stride == 32, "model.output_stride must be 8 or 16");
  const int64_t w = o.width;
  conv1 = register_module("conv1", conv(3, w, 7, 2));
  bn1 = register_module("bn1", SyncBatchNorm2d(w));
  maxpool = register_module("maxpool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  int64_t inplanes = w, dilation = 1;
  const bool d3 = o.output_stride == 8;   // layer3 dilated only at stride 8
  const bool d4 = o.output_stride != 32;  // layer4 at 8 and 16
  LayerPlan plans[4] = {{blocks[0], w, 1, false}, {blocks[1], 2 * w, 2, false}, {blocks[2], 4 * w, 2, d3}, {blocks[3], 8 * w, 2, d4}};
  nn::Sequential* layers[4] = {&layer1, &layer2, &layer3, &layer4};
  for (int i = 0; i < 4; ++i) {
    *layers[i] = bottleneck ? make_layer<Bottleneck>(inplanes, dilation, plans[i]) : make_layer<BasicBlock>(inplanes, dilation, plans[i]);
    register_module("layer" + std::to_string(i + 1), *layers[i]);
    if (i == 0) low_channels_ = inplanes;
  }
  high_channels_ = inplanes;
  // torchvision's initialisation: He (fan_out) for convolutions, BN at identity.
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* b = m->as<SyncBatchNorm2d>()) {
      nn::init::ones_(b->weight);
      nn::init::zeros_(b->bias);
    }
  }
}

torch::Tensor ResNetImpl::run_stage(nn::Sequential& stage, const torch::Tensor& x) {
  if (!checkpoint_stages_ || !is_training()) return stage->forward(x);
  std::shared_ptr<nn::SequentialImpl> s = stage.ptr();
  return checkpointed([s](const torch::Tensor& t) { return s->forward(t); }, x);
}

ResNetFeatures ResNetImpl::forward(torch::Tensor x) {
  x = maxpool(torch::relu(bn1(conv1(x))));
  torch::Tensor low = run_stage(layer1, x);
  torch::Tensor high = run_stage(layer4, run_stage(layer3, run_stage(layer2, low)));
  return {low, high};
}

std::vector<torch::Tensor> ResNetImpl::stages(torch::Tensor x) {
  std::vector<torch::Tensor> out{maxpool(torch::relu(bn1(conv1(x))))};
  for (nn::Sequential* layer : {&layer1, &layer2, &layer3, &layer4}) out.push_back(run_stage(*layer, out.back()));
  return out;
}

}  // namespace s4seg

// The one registry of configuration keys: type, default, allowed range, doc. Everything else
// (validation, `s4seg info --keys`, docs/config-keys.md) reads from this table.
#include "core/config_registry.h"

namespace s4seg {

namespace {
using T = ValueType;

// Order is the order users see; group by prefix.
const KeySpec kKeys[] = {
    // name, type, default, min, max, choices, doc
    {"device", T::String, "auto", 0, 0, "auto|cpu|cuda|cuda:N",
     "Where models run: auto = CUDA when available, else CPU."},
    {"model.num_classes", T::Int, "2", 2, 255, "", "Number of classes (indices 0..N-1; 255 is ignore)."},
    {"model.backbone", T::String, "resnet50", 0, 0, "resnet18|resnet34|resnet50|resnet101", "ResNet encoder."},
    {"model.output_stride", T::Int, "16", 8, 16, "8|16", "Encoder output stride (8 dilates layer3 and layer4, 16 layer4)."},
    {"model.width", T::Int, "64", 8, 64, "8..64, multiple of 8",
     "ResNet base width (64 = standard; smaller is a reduced-width model for CPU and tests).", 8},
    {"model.aspp_channels", T::Int, "256", 8, 1024, "", "Channels of each ASPP branch and of its projection."},
    {"model.aspp_rates", T::String, "auto", 0, 0, "auto|R1,R2,R3",
     "Dilation rates of the three 3x3 ASPP branches; auto = 6,12,18 at stride 16 and 12,24,36 at stride 8."},
    {"model.low_level_channels", T::Int, "48", 8, 512, "", "Channels of the projected layer1 (low-level) feature."},
    {"model.head_convs", T::Int, "2", 1, 2, "", "Number of 3x3 convolutions in the decoder head."},
    {"model.dropout", T::Double, "0.1", 0, 0.9, "", "Dropout after the ASPP projection and decoder convolutions."},
    {"train.method", T::String, "supervised", 0, 0, "supervised", "Training method."},
    {"train.iters", T::Int, "1000", 1, 1000000000, "", "Total iterations (sets the LR schedule's length)."},
    {"train.batch_size", T::Int, "8", 1, 4096, "", "Labeled images per iteration."},
    {"train.crop_size", T::Int, "321", 16, 4096, "", "Square training crop (pixels)."},
    {"train.lr", T::Double, "0.01", 1e-8, 10, "", "Base learning rate (encoder)."},
    {"train.decoder_lr_mult", T::Double, "1", 0, 1000, "", "Learning-rate multiplier of the decoder (ASPP, head)."},
    {"train.momentum", T::Double, "0.9", 0, 0.999, "", "SGD momentum."},
    {"train.nesterov", T::Bool, "false", 0, 1, "", "Nesterov momentum."},
    {"train.weight_decay", T::Double, "0.0001", 0, 1, "", "SGD weight decay."},
    {"train.poly_power", T::Double, "0.9", 0, 10, "", "Poly schedule: lr = base*(1-t/T)^power."},
    {"train.warmup_iters", T::Int, "0", 0, 1000000000, "", "Linear warm-up iterations before the poly schedule."},
    {"train.min_lr", T::Double, "0", 0, 10, "", "Floor of the learning rate."},
    {"train.loss", T::String, "ce", 0, 0, "ce|ohem", "Supervised loss: cross-entropy or online hard example mining."},
    {"train.ohem_thresh", T::Double, "0.7", 0, 1, "", "OHEM: keep pixels whose true-class probability is at most this."},
    {"train.ohem_min_kept", T::Int, "100000", 1, 1000000000, "", "OHEM: keep at least this many pixels per batch."},
    {"train.scale_min", T::Double, "0.5", 0.05, 10, "", "Random scale lower bound (weak augmentation)."},
    {"train.scale_max", T::Double, "2.0", 0.05, 10, "", "Random scale upper bound (weak augmentation)."},
    {"train.flip", T::Bool, "true", 0, 1, "", "Random horizontal flip (weak augmentation)."},
    {"train.seed", T::Int, "0", 0, 2147483647, "", "Seed of initialisation, sampling and augmentation."},
    {"train.threads", T::Int, "0", 0, 1024, "", "CPU threads for tensor work (0 = all cores)."},
    {"train.workers", T::Int, "2", 0, 64, "", "Threads decoding and resizing images (0 = decode on the training thread)."},
    {"train.amp", T::String, "auto", 0, 0, "auto|off|bf16", "Mixed precision: auto = bf16 on CUDA, off on CPU."},
    {"train.channels_last", T::String, "auto", 0, 0, "auto|on|off", "channels_last memory format: auto = on for CUDA."},
    {"train.log_every", T::Int, "10", 1, 1000000000, "", "Iterations between progress callbacks."},
};
}  // namespace

const KeySpec* registry_begin() { return kKeys; }
size_t registry_size() { return sizeof(kKeys) / sizeof(kKeys[0]); }

const char* type_name(ValueType t) {
  switch (t) {
    case ValueType::Int: return "int";
    case ValueType::Double: return "double";
    case ValueType::Bool: return "bool";
    case ValueType::String: return "string";
  }
  return "?";
}

const KeySpec* find_key(const std::string& name) {
  for (const auto& k : kKeys)
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace s4seg

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
    {"model.rep_dim", T::Int, "-1", -1, 4096, "",
     "Representation head output channels: -1 = auto (what train.method's model needs: aspp_channels for css, else none), 0 = none."},
    {"model.head", T::String, "auto", 0, 0, "auto|deeplab|mask",
     "Prediction head: deeplab (per-pixel classifier) or mask (mask classification with queries, RC²L); auto = what "
     "train.method's model needs (mask for rc2l, else deeplab)."},
    {"model.queries", T::Int, "100", 1, 1000, "", "mask head: number of queries N (MaskFormer: 100)."},
    {"model.mask_hidden", T::Int, "256", 8, 2048, "", "mask head: query and mask-embedding dimension (a multiple of model.mask_heads)."},
    {"model.mask_layers", T::Int, "6", 1, 24, "", "mask head: transformer decoder layers."},
    {"model.mask_heads", T::Int, "8", 1, 64, "", "mask head: attention heads."},
    {"model.mask_ffn", T::Int, "2048", 8, 16384, "", "mask head: feed-forward width of each decoder layer."},
    {"model.branches", T::Int, "0", 0, 2, "0|1|2",
     "Co-trained branches (backbone + decoder each); predictions average them. 0 = auto: what train.method's model needs "
     "(2 for rrn, else 1)."},
    {"model.cuda_graphs", T::Bool, "false", 0, 1, "",
     "Inference on CUDA replays the forward as a CUDA graph per input shape (batch, height, width): one launch "
     "instead of one per kernel, for lower small-batch latency. A shape's first prediction runs eagerly, its second "
     "captures the graph; the 4 most recently used graphs are kept, each with its own activation memory. No "
     "effect on CPU."},
    {"model.discriminator", T::String, "auto", 0, 0, "auto|none|patch|image",
     "Discriminators (one per branch, saved with the model): patch (a score per 16x16 region, RRN's paper), image (one score "
     "per image, RRN's code), none; auto = what train.method's model needs (patch for rrn, else none)."},
    {"model.discriminator_width", T::Int, "64", 4, 512, "", "Discriminator base width ndf (channels ndf, 2ndf, 4ndf, 8ndf)."},
    {"model.pretrained", T::String, "", 0, 0, "<file path>",
     "Encoder weights loaded at model creation: a torch.save state dict as torchvision publishes them (resnet50-*.pth) or a "
     "safetensors file, torchvision names (\"module.\" / \"backbone.\" prefixes and the fc classifier are ignored); "
     "\"\" = random initialisation. Every encoder gets them (both branches for rrn)."},
    {"model.pretrained_partial", T::Bool, "false", 0, 1, "",
     "false: any missing, unexpected or mis-shaped tensor in model.pretrained is an error naming them; true: load the tensors "
     "that fit (s4seg_model_backbone_report says what was left out)."},
    {"model.class_names", T::String, "", 0, 0, "voc|cityscapes|<name,name,...>",
     "Class names stored with the model: voc, cityscapes (the benchmarks' names) or model.num_classes comma-separated "
     "names; \"\" = class0, class1, ..."},
    {"model.palette", T::String, "auto", 0, 0, "auto|voc|cityscapes|<rrggbb,rrggbb,...>",
     "Class colours stored with the model: voc, cityscapes, or model.num_classes hexadecimal rrggbb colours "
     "separated by commas (e.g. 000000,ff0000); auto = the benchmark's colours when model.class_names names one, else the VOC colour map."},
    {"train.method", T::String, "supervised", 0, 0, "<registered method>",
     "Training method, a name from the method registry (`s4seg info` lists each with one line; s4seg_method_count and "
     "s4seg_method_name in the C API): supervised trains on the labels only, the others learn from unlabeled images too."},
    {"train.iters", T::Int, "1000", 1, 1000000000, "", "Total iterations (sets the LR schedule's length)."},
    {"train.batch_size", T::Int, "8", 1, 4096, "", "Labeled images per iteration."},
    {"train.unlabeled_batch_size", T::Int, "0", 0, 4096, "", "Unlabeled images per iteration (0 = same as train.batch_size)."},
    {"train.sup_only_iters", T::Int, "-1", -1, 1000000000, "",
     "Semi-supervised methods: iterations of labeled-only training before the unlabeled losses start (the teacher is "
     "reset then); -1 = auto: train.iters/10 for pcr (U²PL's labeled-only first epoch) and rc2l, 0 otherwise."},
    {"train.unsup_weight", T::Double, "1", 0, 100, "", "Weight of the unsupervised (pseudo-label) loss."},
    {"train.crop_size", T::Int, "321", 16, 4096, "", "Square training crop (pixels)."},
    {"train.lr", T::Double, "0.01", 1e-8, 10, "", "Base learning rate (encoder)."},
    {"train.decoder_lr_mult", T::Double, "1", 0, 1000, "", "Learning-rate multiplier of the decoder (ASPP, head)."},
    {"train.optimizer", T::String, "sgd", 0, 0, "sgd|adamw",
     "Optimizer: sgd (momentum, L2 weight decay; the DeepLab recipe) or adamw (decoupled weight decay; the recipe of "
     "mask-classification models, with train.lr around 1e-4..1e-3)."},
    {"train.momentum", T::Double, "0.9", 0, 0.999, "", "SGD momentum."},
    {"train.nesterov", T::Bool, "false", 0, 1, "", "Nesterov momentum."},
    {"train.weight_decay", T::Double, "0.0001", 0, 1, "", "Weight decay: added to the gradient (sgd) or decoupled (adamw)."},
    {"train.adam_beta1", T::Double, "0.9", 0, 0.999999, "", "AdamW: first-moment decay."},
    {"train.adam_beta2", T::Double, "0.999", 0, 0.999999, "", "AdamW: second-moment decay."},
    {"train.grad_clip", T::Double, "0", 0, 1e9, "", "Clip the gradients' global L2 norm to this before each update (0 = off)."},
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
    {"train.threads", T::Int, "0", 0, 1024, "", "CPU threads for tensor work during each training step (0 = all cores); LibTorch's pool is process-wide, so the host's own count is put back after every step."},
    {"train.workers", T::Int, "2", 0, 64, "", "Threads decoding and resizing images (0 = decode on the training thread)."},
    {"train.prefetch", T::Int, "2", 1, 16, "",
     "Batches decoded ahead of the training step (each on train.workers threads; needs train.workers ≥ 1). The metric "
     "data/wait_fraction says how much of the step time went to waiting for them."},
    {"train.amp", T::String, "auto", 0, 0, "auto|off|bf16", "Mixed precision (bf16 autocast) in training and inference: auto = bf16 on CUDA, off on CPU; bf16 on a CPU pays where it has bf16 instructions (AVX512-BF16, AMX)."},
    {"train.channels_last", T::String, "auto", 0, 0, "auto|on|off", "channels_last memory format: auto = on for CUDA."},
    {"train.log_every", T::Int, "10", 1, 1000000000, "", "Iterations between progress callbacks."},
    {"train.read_every", T::Int, "1", 1, 1000000000, "",
     "Iterations between reads of the loss and metrics from the device. 1: every iteration's loss is checked before its "
     "update. N > 1 (every method but rrn and rc2l): iterations are queued without waiting for the device; a "
     "non-finite loss still leaves the weights, optimizer, teacher and prototypes as they were before it (its update "
     "and every later queued one are skipped on the device) and is reported at the next read. Reads also happen at "
     "each progress callback and at the end of every step call. BatchNorm running statistics are not rolled back."},
    {"train.grad_accumulation", T::Int, "1", 1, 4096, "",
     "Split each iteration's batches (labeled and unlabeled) into this many micro-batches, one forward and backward "
     "each, gradients summed before the single update: the same step with 1/N of the activation memory. "
     "train.batch_size and train.unlabeled_batch_size must be multiples of it."},
    {"train.activation_checkpointing", T::String, "none", 0, 0, "none|backbone",
     "backbone: training keeps only each ResNet stage's input and output and recomputes the stage in the backward pass "
     "(less activation memory, about one more backbone forward of compute per step)."},
    {"train.batchnorm", T::String, "batch", 0, 0, "batch|frozen|sync",
     "BatchNorm while training: batch statistics of each (micro-)batch on each rank, updating the running ones; sync = "
     "statistics over the whole batch of every data-parallel rank (SyncBatchNorm; batch with one process); frozen = "
     "eval-mode running statistics, affine weights still trained (micro-batches and ranks then give exactly the "
     "large-batch step)."},
    // Data parallel over processes (impl/dist): every rank runs the same trainer on its own share of each batch.
    {"dist.world_size", T::Int, "1", 1, 65536, "", "Processes in the data-parallel job (1 = no data parallel)."},
    {"dist.rank", T::Int, "0", 0, 65535, "", "This process's rank, 0..dist.world_size-1; rank 0 serves the rendezvous store."},
    {"dist.master", T::String, "127.0.0.1:29500", 0, 0, "<HOST:PORT>",
     "Address of rank 0's rendezvous store (c10d TCPStore); every rank gives the same."},
    {"dist.backend", T::String, "auto", 0, 0, "auto|gloo|nccl", "Collectives: auto = nccl on CUDA, gloo on CPU."},
    {"dist.interface", T::String, "", 0, 0, "<network interface>",
     "Gloo: network interface to bind (for example eth0); empty = 127.0.0.1 for a loopback master, else the host name's "
     "address."},
    {"dist.timeout", T::Double, "300", 1, 86400, "", "Seconds to wait for the other ranks (rendezvous, each collective)."},
    {"dist.bucket_mb", T::Double, "25", 0.01, 4096, "", "Gradients are averaged in flat buckets of at most this many MiB."},
    {"dist.overlap_backward", T::Bool, "true", 0, 0, "",
     "Start each gradient bucket's all-reduce during the backward pass, as soon as the bucket is full (false: all after it)."},
    {"teacher.momentum", T::Double, "0.99", 0, 1, "", "EMA teacher: decay cap m in min(1 - 1/(t+1), m)."},
    {"teacher.bn", T::String, "copy", 0, 0, "copy|own",
     "EMA teacher BatchNorm statistics: copy the student's at every update, or keep its own (refreshed in train mode)."},
    {"teacher.mode", T::String, "auto", 0, 0, "auto|eval|train",
     "Mode the teacher runs in while pseudo-labelling: eval (running statistics) or train (batch statistics); auto = "
     "train for css (its code), eval otherwise."},
    {"strong.jitter_p", T::Double, "0.8", 0, 1, "", "Strong view: probability of colour jitter per image."},
    {"strong.brightness", T::Double, "0.5", 0, 1, "", "Strong view: brightness factor drawn from [1-b, 1+b]."},
    {"strong.contrast", T::Double, "0.5", 0, 1, "", "Strong view: contrast factor drawn from [1-c, 1+c]."},
    {"strong.saturation", T::Double, "0.5", 0, 1, "", "Strong view: saturation factor drawn from [1-s, 1+s]."},
    {"strong.hue", T::Double, "0.25", 0, 0.5, "", "Strong view: hue shift drawn from [-h, h] (fraction of the colour circle)."},
    {"strong.grey_p", T::Double, "0.2", 0, 1, "", "Strong view: probability of greyscale per image."},
    {"strong.blur_p", T::Double, "0.5", 0, 1, "", "Strong view: probability of Gaussian blur per image."},
    {"strong.blur_sigma_min", T::Double, "0.1", 0.01, 20, "", "Strong view: smallest blur sigma (pixels)."},
    {"strong.blur_sigma_max", T::Double, "2.0", 0.01, 20, "", "Strong view: largest blur sigma (pixels)."},
    {"mix.type", T::String, "auto", 0, 0, "auto|cutmix|boxes|classmix|none",
     "Mixing of unlabeled images: cutmix (one half-area box), boxes (CPS multi-box), classmix, none; auto = boxes for rrn, "
     "else cutmix."},
    {"mix.p", T::Double, "-1", -1, 1, "",
     "Probability that a batch is mixed (cutmix; boxes and classmix always mix when p > 0); -1 = auto: 1 for css (its "
     "code mixes every batch), 0.5 otherwise."},
    {"mix.boxes", T::Int, "3", 1, 16, "", "boxes: number of boxes per image."},
    {"mix.box_min", T::Double, "0.25", 0, 1, "", "boxes: smallest total area fraction."},
    {"mix.box_max", T::Double, "0.5", 0, 1, "", "boxes: largest total area fraction."},
    {"pseudo.filter", T::String, "auto", 0, 0, "auto|threshold|class_adaptive|entropy|soft|discriminator|none",
     "Pseudo-label filter of fixmatch, pcr, css (its unsupervised loss) and the labeler: auto = the method's own "
     "(fixmatch threshold, pcr entropy, css per css.unsup_loss, labeler threshold); discriminator keeps the regions a "
     "model's discriminator scores above pseudo.discriminator_threshold (labeler, models trained with rrn). rrn and rc2l "
     "select with their own keys (pseudo.discriminator_threshold, rc2l.smc_threshold)."},
    {"pseudo.threshold", T::Double, "0.95", 0, 1, "", "threshold / class_adaptive: confidence a pixel needs to be kept."},
    {"pseudo.keep_start", T::Double, "0.8", 0.01, 1, "", "entropy: fraction of pixels kept (lowest entropy) at the start."},
    {"pseudo.keep_end", T::Double, "1.0", 0.01, 1, "", "entropy: fraction kept at the last iteration (linear annealing)."},
    {"pseudo.soft_threshold", T::Double, "0.97", 0, 1, "", "soft: confidence δ_u counted into each image's weight."},
    {"pseudo.discriminator_threshold", T::Double, "0.6", 0, 1, "",
     "discriminator filter and rrn's local selection: a region (or image) is kept when its discriminator score exceeds this."},
    {"pseudo.adaptive_momentum", T::Double, "0.999", 0, 1, "", "class_adaptive: EMA momentum of per-class mean confidence."},
    {"fixmatch.feature_dropout", T::Double, "0", 0, 0.9, "",
     "fixmatch: UniMatch feature-perturbation stream, dropout probability on the encoder features (0 = off)."},
    {"proto.per_class", T::Int, "4", 1, 64, "", "pcr: micro-prototypes per class (M)."},
    {"proto.temperature", T::Double, "0.1", 0.001, 10, "", "pcr: prototype logits = max cosine / temperature."},
    {"proto.momentum", T::Double, "0.99", 0, 1, "", "pcr, css: EMA momentum of prototype updates."},
    {"proto.init", T::String, "kmeans", 0, 0, "kmeans|first_batch",
     "pcr: prototype initialisation: per-class k-means over labeled features at the first semi-supervised step, or the first batch."},
    {"proto.weight", T::Double, "1", 0, 100, "", "pcr: weight of the prototype cross-entropy."},
    {"proto.grid", T::Int, "32", 1, 1024, "", "pcr: pixels are sampled one per cell of a grid x grid lattice."},
    {"proto.confidence", T::Double, "0.8", 0, 1, "", "pcr: teacher confidence an unlabeled pixel needs to supervise and update prototypes."},
    {"proto.labeled_update", T::String, "all", 0, 0, "all|correct",
     "pcr: labeled pixels that update prototypes: all valid ones, or only those the prototype head gets right."},
    {"css.strategy", T::String, "mix", 0, 0, "mix|cross|logit",
     "css: pseudo-labels from both spaces: mix (keep agreement), cross (each space supervises the other), logit (baseline)."},
    {"css.weak_threshold", T::Double, "0.7", 0, 1, "", "css: δ_w, confidence an unlabeled pixel needs to enter the contrastive loss."},
    {"css.strong_threshold", T::Double, "0.8", 0, 1, "", "css: δ_s, anchors are pixels whose prototype similarity is below this."},
    {"css.queries", T::Int, "256", 1, 100000, "", "css: anchors per class."},
    {"css.negatives", T::Int, "512", 1, 100000, "", "css: negatives per anchor."},
    {"css.temperature", T::Double, "0.5", 0.001, 10, "", "css: temperature of the representation softmax and of InfoNCE."},
    {"css.contrast_weight", T::Double, "1", 0, 100, "", "css: largest weight of the contrastive loss."},
    {"css.rampdown_epochs", T::Int, "200", 0, 1000000000, "",
     "css: contrastive weight = w·exp(-5(e/R)^2) for labeled epochs e < R, then 0 (the code, R = 200); 0 = constant weight (the paper)."},
    {"css.prototype_source", T::String, "student", 0, 0, "student|teacher",
     "css: representations that update prototypes: the student's (the code) or the teacher's (the paper, Eq. 2)."},
    {"css.valid_source", T::String, "logit", 0, 0, "logit|rep",
     "css: confidence that admits unlabeled pixels to the contrastive loss: logit (the code) or representation (the paper)."},
    {"css.unsup_loss", T::String, "soft", 0, 0, "soft|hard",
     "css: unsupervised loss: soft per-image weighting (the code) or a hard confidence mask at pseudo.soft_threshold (the paper)."},
    {"css.warmup_iters", T::Int, "0", 0, 1000000000, "", "css cross: iterations during which the logit labels are used before switching."},
    {"rrn.cps_weight", T::Double, "1", 0, 100, "", "rrn: weight of the cross pseudo supervision between the two branches."},
    {"rrn.fm_weight", T::Double, "0.1", 0, 100, "", "rrn: weight of the discriminator feature-matching loss (λ_fm)."},
    {"rrn.st_weight", T::Double, "1", 0, 100, "", "rrn: weight of the local selection (self-training) losses (λ_st)."},
    {"rrn.st_start_iters", T::Int, "-1", -1, 1000000000, "",
     "rrn: iteration from which the local selection losses run (the code: after the first epoch); -1 = train.iters/10."},
    {"rrn.d_lr", T::Double, "1e-4", 0, 1, "", "rrn: Adam learning rate of the discriminators (betas 0.9, 0.99)."},
    {"rrn.filter_cps", T::Bool, "false", 0, 1, "",
     "rrn: also mask the cross pseudo-labels with the partner discriminator's kept regions (true) or not (false, the code)."},
    {"rc2l.matching", T::String, "hungarian", 0, 0, "hungarian|index",
     "rc2l: student query for each teacher region: Hungarian matching (MaskFormer cost) or the same query index."},
    {"rc2l.region_threshold", T::Double, "0.7", 0, 1, "",
     "rc2l: a teacher query is a region when its best non-void class probability exceeds this (τ_r)."},
    {"rc2l.temperature", T::Double, "0.2", 0.001, 10, "", "rc2l: temperature of the region mask and region feature InfoNCE."},
    {"rc2l.rmc_weight", T::Double, "1", 0, 100, "", "rc2l: weight of the region mask contrastive loss."},
    {"rc2l.rfc_weight", T::Double, "1", 0, 100, "", "rc2l: weight of the region feature contrastive loss."},
    {"rc2l.rcc_weight", T::Double, "1", 0, 100, "", "rc2l: weight of the region class consistency loss."},
    {"rc2l.smc_weight", T::Double, "1", 0, 100, "", "rc2l: weight of the semantic mask consistency loss."},
    {"rc2l.smc_threshold", T::Double, "0.7", 0, 1, "",
     "rc2l: teacher semantic confidence a pixel needs to enter the semantic mask consistency loss."},
    {"rc2l.class_weight", T::Double, "2", 0, 100, "", "rc2l: set loss and matching cost, class term (Mask2Former: 2)."},
    {"rc2l.mask_weight", T::Double, "5", 0, 100, "", "rc2l: set loss and matching cost, mask BCE term (Mask2Former: 5)."},
    {"rc2l.dice_weight", T::Double, "5", 0, 100, "", "rc2l: set loss and matching cost, dice term (Mask2Former: 5)."},
    {"rc2l.no_object_weight", T::Double, "0.1", 0, 1, "", "rc2l: class weight of no-object in the class losses (MaskFormer: 0.1)."},
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

#!/usr/bin/env python3
"""Reference benchmark: s4seg's training steps and inference written as plain PyTorch.

What is timed (one "step" each), on the same DeepLabV3+ as s4seg (deeplab_reference.py):

  train/supervised  B labeled crops (weak augmentation already applied: random tensors generated on
                    the device once, outside the timing; the step times the model, not decoding):
                    student forward (train mode) -> bilinear upsample to the crop -> cross-entropy
                    (ignore 255) -> zero_grad, backward -> SGD (momentum 0.9, weight decay 1e-4, poly
                    LR 0.01*(1-t/T)^0.9 on two groups, encoder and decoder) -> loss.item().
  train/fixmatch    s4seg's `fixmatch` (impl/methods/fixmatch.cpp, mean_teacher.cpp): the EMA teacher
                    labels the weak unlabeled view in eval mode under no_grad (softmax of the upsampled
                    logits, argmax, confidence >= 0.95 gives weight 1, else 0); the strong view is made on
                    the device: colour jitter (p 0.8; brightness, contrast, saturation 0.5, hue 0.25, fixed
                    order), greyscale (p 0.2), Gaussian blur (p 0.5, sigma 0.1..2, radius 6, separable,
                    reflect padding) as in impl/augment/strong.cpp, then CutMix (one coin per batch,
                    p 0.5; one box of half the image area per image, U²PL's box; the partner is image
                    (i+1) mod U) applied to images, pseudo-labels and weights as in impl/augment/mix.cpp;
                    one student forward on cat(labeled, strong); supervised CE (ignore 255) + the
                    unsupervised CE against the teacher's argmax weighted by the confidence mask and
                    averaged over all valid pixels (UniMatch's loss_u); backward; SGD as above; EMA
                    update of the teacher (decay min(1 - 1/(t+1), 0.999) for parameters, BatchNorm
                    statistics copied, s4seg's teacher.bn = copy); loss.item().
  infer/batch1      eval mode, no_grad: forward of 1 image -> upsample to full size -> softmax -> max
  infer/batchN      the same for --infer-batch images. Each inference step ends with a device
                    synchronisation (training steps end with loss.item(), which synchronises too).

Precision: --precision fp32 is the official UniMatch/FixMatch codebases' setting (PyTorch defaults:
on CUDA, cuDNN may use TF32 for convolutions, matmuls stay fp32; cudnn.benchmark on, as they and
s4seg set it). --precision bf16 runs the forward passes under torch.autocast(bfloat16) with the
model and inputs in channels_last (s4seg's CUDA default, train.amp = auto); losses are computed in
fp32.

Timing: per case a fresh model (and optimizer, teacher) is built; --warmup steps run, the device is
synchronised, --steps steps are timed, the device is synchronised again.

Output: one JSON line per case on stdout:
  {"impl": "reference-fp32"|"reference-bf16", "case": ..., "device", "backbone", "crop", "batch",
   "unlabeled_batch" (0 for supervised and inference), "steps", "ms_per_step", "images_per_s",
   "peak_memory_mb", "tflops"}
images_per_s counts labeled + unlabeled images per second for training, the batch for inference.
peak_memory_mb: torch.cuda.max_memory_allocated() during the case (peak stats reset at its start)
on CUDA; on CPU the process's maximum resident set size so far (getrusage ru_maxrss; a high-water
mark that cannot be reset, so a later case reports at least an earlier case's peak).

FLOP convention (s4seg bench uses the same):
  F = forward FLOPs of ONE image at the step's input size (crop x crop), counted as 2 x multiply-
      accumulates of every nn.Conv2d and nn.Linear (forward hooks on the model, conv MACs =
      C_in/groups * kH * kW * C_out * H_out * W_out; bias, BatchNorm, activations, pooling,
      resizing, softmax, losses, augmentation and optimizer are not counted).
  train/supervised: 3 x F x B                     (forward + backward ~ 2 x forward)
  train/fixmatch:   3 x F x (B + U) + 1 x F x U  (student on labeled + strong, teacher on weak)
  infer/batch1:     1 x F;   infer/batchN: 1 x F x N
  tflops = FLOPs per step / seconds per step / 1e12.

Example (the CPU preset of bench/side_by_side.sh):
  ${PYTHON:-/usr/bin/python3} bench/reference/fixmatch_reference.py --device cpu --backbone resnet18 \\
      --width 16 --output-stride 8 --aspp-channels 64 --low-level-channels 24 --classes 4 --crop 64 \\
      --batch 4 --unlabeled-batch 8 --infer-batch 8 --threads 2 --warmup 2 --steps 5 --precision fp32
Compatible with torch 1.13 (Debian) and 2.x.
"""
import argparse
import contextlib
import copy
import gc
import json
import math
import os
import random
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deeplab_reference as dl  # noqa: E402

IGNORE = 255
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


# ---------------------------------------------------------------- strong view (impl/augment/strong.cpp)

def luma(x):
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def rgb_to_hsv(x):
    # torchvision's _rgb2hsv, batched.
    r, g, b = x.unbind(1)
    maxc, minc = x.max(1)[0], x.min(1)[0]
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    crd = torch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return torch.stack((h, s, maxc), 1)


def hsv_to_rgb(x):
    # torchvision's _hsv2rgb, batched.
    h, s, v = x.unbind(1)
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(torch.int64) % 6
    p = (v * (1.0 - s)).clamp(0.0, 1.0)
    q = (v * (1.0 - s * f)).clamp(0.0, 1.0)
    t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0)
    mask = (i.unsqueeze(1) == torch.arange(6, device=i.device).view(1, -1, 1, 1)).to(x.dtype)  # (B, 6, H, W)
    a1 = torch.stack((v, q, p, p, t, v), 1)
    a2 = torch.stack((t, v, v, q, p, p), 1)
    a3 = torch.stack((p, p, t, v, v, q), 1)
    return torch.stack(((mask * a1).sum(1), (mask * a2).sum(1), (mask * a3).sum(1)), 1)


def gaussian_blur(x, sigma, radius):
    """Separable Gaussian blur, one sigma per image, reflect padding; the whole batch is one depthwise
    convolution per axis (kernel radius clipped to side - 1 as reflect padding needs)."""
    B, C, H, W = x.shape
    planes = x.reshape(1, B * C, H, W)
    for dim, r in ((3, min(radius, W - 1)), (2, min(radius, H - 1))):
        k = torch.arange(-r, r + 1, device=x.device, dtype=x.dtype).view(1, -1)
        w = torch.exp(-(k * k) / (2.0 * sigma.view(-1, 1) ** 2))
        w = (w / w.sum(1, keepdim=True)).repeat_interleave(C, 0)
        if dim == 3:
            planes = F.conv2d(F.pad(planes, (r, r, 0, 0), mode="reflect"), w.view(B * C, 1, 1, -1), groups=B * C)
        else:
            planes = F.conv2d(F.pad(planes, (0, 0, r, r), mode="reflect"), w.view(B * C, 1, -1, 1), groups=B * C)
    return planes.reshape(B, C, H, W)


def strong_photometric(images, mean, std, jitter_p=0.8, brightness=0.5, contrast=0.5, saturation=0.5, hue=0.25,
                       grey_p=0.2, blur_p=0.5, sigma_min=0.1, sigma_max=2.0):
    """Normalised images in, normalised images out."""
    B = images.shape[0]
    x = images * std + mean  # [0, 1]
    u = torch.rand(8, B, device=images.device)
    per_image = lambda t: t.view(-1, 1, 1, 1)  # noqa: E731
    bf = per_image(1 - brightness + 2 * brightness * u[1])
    cf = per_image(1 - contrast + 2 * contrast * u[2])
    sf = per_image(1 - saturation + 2 * saturation * u[3])
    hf = per_image(-hue + 2 * hue * u[4])
    j = (x * bf).clamp(0, 1)
    j = (cf * j + (1 - cf) * luma(j).mean((1, 2, 3), keepdim=True)).clamp(0, 1)
    j = (sf * j + (1 - sf) * luma(j)).clamp(0, 1)
    hsv = rgb_to_hsv(j)
    j = hsv_to_rgb(torch.cat((torch.remainder(hsv[:, 0:1] + hf, 1.0), hsv[:, 1:]), 1))
    x = torch.where(per_image(u[0] < jitter_p), j, x)
    x = torch.where(per_image(u[5] < grey_p), luma(x).repeat(1, 3, 1, 1), x)
    sigma = sigma_min + (sigma_max - sigma_min) * u[7]
    x = torch.where(per_image(u[6] < blur_p), gaussian_blur(x, sigma, max(1, math.ceil(3 * sigma_max))), x)
    return (x.clamp(0, 1) - mean) / std


def cutmix_mask(batch, h, w, p, device):
    """impl/augment/mix.cpp cutmix_half_box_mask: one coin per batch; per image a box of width
    uniform in (W/2, W] and height round(H*W/2 / width) at a random place. None = no mixing."""
    if random.random() >= p:
        return None
    boxes = []
    for _ in range(batch):
        bw = random.randint(w // 2 + 1, w)
        bh = min(h, max(0, round(0.5 * h * w / bw)))
        x0, y0 = random.randint(0, w - bw), random.randint(0, h - bh)
        boxes.append((y0, y0 + bh, x0, x0 + bw))
    c = torch.tensor(boxes, dtype=torch.int64).to(device).view(batch, 4, 1, 1)
    ys = torch.arange(h, device=device).view(1, h, 1)
    xs = torch.arange(w, device=device).view(1, 1, w)
    return (ys >= c[:, 0]) & (ys < c[:, 1]) & (xs >= c[:, 2]) & (xs < c[:, 3])  # (B, H, W) bool


# ---------------------------------------------------------------- harness

class Bench:
    def __init__(self, a):
        self.a = a
        self.device = torch.device(a.device)
        self.cuda = self.device.type == "cuda"
        self.bf16 = a.precision == "bf16"
        self.mf = torch.channels_last if self.bf16 else torch.contiguous_format
        self.mean = torch.tensor(MEAN, device=self.device).view(1, 3, 1, 1)
        self.std = torch.tensor(STD, device=self.device).view(1, 3, 1, 1)

    def autocast(self):
        if not self.bf16:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def model(self):
        a = self.a
        m = dl.DeepLabV3Plus(a.backbone, a.width, a.output_stride, a.classes, a.aspp_channels, a.low_level_channels)
        return m.to(self.device, memory_format=self.mf)

    def images(self, n):
        """Normalised images from random 0..255 pixels (what the weak augmentation hands over)."""
        x = torch.randint(0, 256, (n, 3, self.a.crop, self.a.crop), device=self.device).float() / 255.0
        return ((x - self.mean) / self.std).contiguous(memory_format=self.mf)

    def masks(self, n):
        m = torch.randint(0, self.a.classes, (n, self.a.crop, self.a.crop), device=self.device)
        pad = torch.rand(n, self.a.crop, self.a.crop, device=self.device) < 0.05  # some ignore, as padding
        return m.masked_fill(pad, IGNORE)

    def optimizer(self, student):
        a = self.a
        groups = [{"params": student.encoder_parameters(), "lr": a.lr, "lr_mult": 1.0},
                  {"params": student.decoder_parameters(), "lr": a.lr * a.decoder_lr_mult, "lr_mult": a.decoder_lr_mult}]
        return torch.optim.SGD(groups, lr=a.lr, momentum=0.9, weight_decay=1e-4)

    def set_lr(self, opt, it, total):
        lr = self.a.lr * (1 - it / total) ** 0.9
        for g in opt.param_groups:
            g["lr"] = lr * g["lr_mult"]

    def forward_full(self, model, x):
        """Logits upsampled to the input size (inside autocast when bf16, as s4seg's method step)."""
        with self.autocast():
            return F.interpolate(model(x), size=x.shape[-2:], mode="bilinear", align_corners=False)

    # ---- cases: each returns (step function, images per step, FLOP multiplier in units of F)

    def case_supervised(self, total):
        a = self.a
        student = self.model()
        opt = self.optimizer(student)
        xl, ml = self.images(a.batch), self.masks(a.batch)
        it = [0]

        def step():
            self.set_lr(opt, it[0], total)
            student.train()
            pred = self.forward_full(student, xl)
            loss = F.cross_entropy(pred.float(), ml, ignore_index=IGNORE)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            it[0] += 1
            return loss.item()

        return step, a.batch, 3 * a.batch

    def case_fixmatch(self, total):
        a = self.a
        B, U, S = a.batch, a.unlabeled_batch, a.crop
        student = self.model()
        teacher = copy.deepcopy(student)
        for p in teacher.parameters():
            p.requires_grad_(False)
        opt = self.optimizer(student)
        xl, ml = self.images(B), self.masks(B)
        xu = self.images(U)
        partner = torch.roll(torch.arange(U, device=self.device), -1)
        it = [0]

        def step():
            self.set_lr(opt, it[0], total)
            # Teacher on the weak view.
            with torch.no_grad():
                teacher.eval()
                with self.autocast():
                    logits_w = teacher(xu)
                probs = F.interpolate(logits_w.float(), size=(S, S), mode="bilinear", align_corners=False).softmax(1)
                conf, pseudo = probs.max(1)
                weight = (conf >= a.threshold).float()
                # Strong view: photometric, then CutMix of images, pseudo-labels and weights.
                xs = strong_photometric(xu, self.mean, self.std)
                box = cutmix_mask(U, S, S, a.mix_p, self.device)
                if box is not None:
                    xs = torch.where(box.unsqueeze(1), xs[partner], xs)
                    pseudo = torch.where(box, pseudo[partner], pseudo)
                    weight = torch.where(box, weight[partner], weight)
                xs = xs.contiguous(memory_format=self.mf)
            # Student on labeled + strong.
            student.train()
            pred = self.forward_full(student, torch.cat((xl, xs))).float()
            pred_l, pred_s = pred.split([B, U])
            loss_l = F.cross_entropy(pred_l, ml, ignore_index=IGNORE)
            loss_u = F.cross_entropy(pred_s, pseudo, reduction="none", ignore_index=IGNORE)
            loss_u = (loss_u * weight).sum() / (pseudo != IGNORE).sum().clamp_min(1)
            loss = loss_l + a.unsup_weight * loss_u
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            # EMA teacher.
            decay = min(1.0 - 1.0 / (it[0] + 1), a.ema_decay)
            with torch.no_grad():
                for tp, sp in zip(teacher.parameters(), student.parameters()):
                    tp.mul_(decay).add_(sp, alpha=1.0 - decay)
                for tb, sb in zip(teacher.buffers(), student.buffers()):
                    tb.copy_(sb)
            it[0] += 1
            return loss.item()

        return step, B + U, 3 * (B + U) + U

    def case_infer(self, n):
        model = self.model().eval()
        x = self.images(n)

        def step():
            with torch.no_grad():
                with self.autocast():
                    logits = model(x)
                prob = F.interpolate(logits.float(), size=x.shape[-2:], mode="bilinear", align_corners=False).softmax(1)
                conf, labels = prob.max(1)
            self.sync()
            return labels

        return step, n, n

    # ----

    def run(self, name, flops_per_image):
        a = self.a
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(self.device)
        total = a.warmup + a.steps
        if name == "train/supervised":
            step, images, mult = self.case_supervised(total)
        elif name == "train/fixmatch":
            step, images, mult = self.case_fixmatch(total)
        elif name == "infer/batch1":
            step, images, mult = self.case_infer(1)
        else:
            step, images, mult = self.case_infer(a.infer_batch)
        for _ in range(a.warmup):
            step()
        self.sync()
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        self.sync()
        seconds = (time.perf_counter() - t0) / a.steps
        if self.cuda:
            peak = torch.cuda.max_memory_allocated(self.device) / 2**20
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
        del step
        gc.collect()
        if self.cuda:
            torch.cuda.empty_cache()
        train = name.startswith("train/")
        return {
            "impl": f"reference-{a.precision}", "case": name, "device": a.device, "backbone": a.backbone,
            "crop": a.crop,
            "batch": a.batch if train else images,
            "unlabeled_batch": a.unlabeled_batch if name == "train/fixmatch" else 0,
            "steps": a.steps, "ms_per_step": round(seconds * 1e3, 3), "images_per_s": round(images / seconds, 3),
            "peak_memory_mb": round(peak, 1), "tflops": round(mult * flops_per_image / seconds / 1e12, 5),
        }


CASES = {"supervised": ["train/supervised"], "fixmatch": ["train/fixmatch"], "infer": ["infer/batch1", "infer/batchN"],
         "infer1": ["infer/batch1"], "inferN": ["infer/batchN"]}


def main():
    p = argparse.ArgumentParser(description="PyTorch reference for s4seg bench (see the module docstring)")
    dl.add_model_args(p)
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--crop", type=int, default=513)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--unlabeled-batch", type=int, default=8)
    p.add_argument("--infer-batch", type=int, default=32)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--cases", default="supervised,fixmatch,infer")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = leave torch's default)")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--decoder-lr-mult", type=float, default=1.0)
    p.add_argument("--threshold", type=float, default=0.95)
    p.add_argument("--ema-decay", type=float, default=0.999)
    p.add_argument("--unsup-weight", type=float, default=1.0)
    p.add_argument("--mix-p", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if a.steps < 1 or a.warmup < 0 or a.batch < 1 or a.unlabeled_batch < 1 or a.infer_batch < 1:
        p.error("need steps >= 1, warmup >= 0 and batches >= 1")
    cases = []
    for c in a.cases.split(","):
        if c.strip() not in CASES:
            p.error(f"unknown case {c!r} (supervised, fixmatch, infer)")
        cases += CASES[c.strip()]
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    if a.device.startswith("cuda"):
        if not torch.cuda.is_available():
            sys.exit("fixmatch_reference: CUDA is not available")
        torch.backends.cudnn.benchmark = True

    bench = Bench(a)
    probe = bench.model()
    params = dl.parameter_count(probe)
    flops = dl.conv_flops(probe.float(), (3, a.crop, a.crop), device=bench.device)
    del probe
    gc.collect()
    print(f"# reference-{a.precision}: torch {torch.__version__}, {a.backbone} width {a.width} OS{a.output_stride} "
          f"aspp {a.aspp_channels} low-level {a.low_level_channels} classes {a.classes}: {params} parameters, "
          f"{flops / 1e9:.4f} forward GFLOPs per {a.crop}x{a.crop} image, threads {torch.get_num_threads()}",
          file=sys.stderr, flush=True)
    for name in cases:
        print(json.dumps(bench.run(name, flops)), flush=True)


if __name__ == "__main__":
    main()

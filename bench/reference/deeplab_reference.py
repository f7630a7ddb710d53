#!/usr/bin/env python3
"""DeepLabV3+ on a ResNet encoder in plain PyTorch: the reference model s4seg's numbers are compared with.

It is the same network as impl/models/{resnet,deeplab,segmentation_net}.cpp for the same options,
layer for layer and name for name (so the parameter count and every parameter's shape match and an
s4seg model file's `param/` records can be checked against it, see --compare):

  encoder  "backbone.*": torchvision's ResNet (conv1 7x7/2, bn1, relu, maxpool 3x3/2, layer1..4,
           no avgpool/fc). ResNet-50/101 at width 64 are torchvision.models.resnet.ResNet with
           torchvision's own Bottleneck; ResNet-18/34 use torchvision's ResNet class with a
           BasicBlock that accepts dilation (torchvision's refuses dilation > 1, s4seg dilates basic
           blocks too). A reduced base width (s4seg's model.width, e.g. 16 on CPU) cannot be had from
           torchvision (its inplanes = 64 and planes 64..512 are fixed; width_per_group only widens
           the bottleneck's inner 3x3), so then the same ResNet is built by ResNetW below, a copy of
           torchvision's construction with 64 replaced by `width`.
           Output stride 16: layer4 dilated; 8: layer3 and layer4 dilated
           (replace_stride_with_dilation = [False, os == 8, True]); the first block of a dilated layer
           keeps the previous dilation, as torchvision's _make_layer does.
  decoder  "decoder.*": ASPP with a 1x1 branch b0, three 3x3 branches b1..b3 (rates 6,12,18 at OS16,
           12,24,36 at OS8), each conv(no bias)+BN+ReLU; an image-pooling branch pool_conv = global mean
           -> 1x1 conv with bias -> ReLU (no BN) expanded to the map; project = 1x1 conv+BN+ReLU+
           Dropout(0.1) over the concatenation. low_proj = 1x1 conv+BN+ReLU on layer1's output. The ASPP
           output is bilinearly resized (align_corners=False) to layer1's size and concatenated with
           low_proj; head = 2 x (3x3 conv+BN+ReLU+Dropout(0.1)); classifier = 1x1 conv with bias.
           Logits come out at 1/4 resolution; callers upsample them bilinearly to full size.
  init     convolutions of the encoder: He normal, fan_out (torchvision); of the decoder: He normal,
           fan_in, zero biases; BatchNorm weight 1, bias 0.

Run it to print the parameter count for a set of options:

  ${PYTHON:-/usr/bin/python3} bench/reference/deeplab_reference.py --backbone resnet18 --width 16 \\
      --output-stride 8 --aspp-channels 64 --low-level-channels 24 --classes 4 [--compare MODEL.s4seg]

--compare reads an s4seg model file (docs/file-format.md) and checks that its parameters have the
same names and shapes as this model's.
"""
import argparse
import struct
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

BLOCKS = {"resnet18": ("basic", [2, 2, 2, 2]), "resnet34": ("basic", [3, 4, 6, 3]),
          "resnet50": ("bottleneck", [3, 4, 6, 3]), "resnet101": ("bottleneck", [3, 4, 23, 3])}


def conv3x3(inp, out, stride=1, dilation=1):
    return nn.Conv2d(inp, out, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)


def conv1x1(inp, out, stride=1):
    return nn.Conv2d(inp, out, 1, stride=stride, bias=False)


class DilatedBasicBlock(nn.Module):
    """torchvision's BasicBlock (same signature, names and forward) without its dilation > 1 refusal."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride, dilation)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes, 1, dilation)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNetW(nn.Module):
    """torchvision.models.resnet.ResNet's construction with base width `width` instead of 64
    (used only when width != 64; the same block classes, _make_layer logic and initialisation)."""

    def __init__(self, block, layers, width, replace_stride_with_dilation):
        super().__init__()
        self.inplanes = width
        self.dilation = 1
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, 2 * width, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 4 * width, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 8 * width, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        # base_width = 64 keeps torchvision's Bottleneck inner width = planes (groups 1).
        layers = [block(self.inplanes, planes, stride, downsample, 1, 64, previous_dilation)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, dilation=self.dilation))
        return nn.Sequential(*layers)


def build_resnet(depth, width=64, output_stride=16):
    """The encoder: a module with conv1, bn1, relu, maxpool, layer1..layer4 (torchvision names)."""
    if depth not in BLOCKS:
        raise ValueError(f"unknown backbone {depth!r}")
    if output_stride not in (8, 16):
        raise ValueError("output stride must be 8 or 16")
    kind, layers = BLOCKS[depth]
    block = torchvision.models.resnet.Bottleneck if kind == "bottleneck" else DilatedBasicBlock
    dilation = [False, output_stride == 8, True]
    if width == 64:
        net = torchvision.models.resnet.ResNet(block, layers, replace_stride_with_dilation=dilation)
        del net.avgpool, net.fc  # the segmentation encoder stops at layer4
    else:
        net = ResNetW(block, layers, width, dilation)
    net.low_channels = width * block.expansion
    net.high_channels = 8 * width * block.expansion
    return net


def conv_bn_relu(inp, out, k, dilation=1):
    return nn.Sequential(nn.Conv2d(inp, out, k, padding=dilation * (k // 2), dilation=dilation, bias=False),
                         nn.BatchNorm2d(out), nn.ReLU(inplace=True))


class ASPP(nn.Module):
    def __init__(self, inp, out, rates, dropout):
        super().__init__()
        self.b0 = conv_bn_relu(inp, out, 1)
        self.b1 = conv_bn_relu(inp, out, 3, rates[0])
        self.b2 = conv_bn_relu(inp, out, 3, rates[1])
        self.b3 = conv_bn_relu(inp, out, 3, rates[2])
        self.pool_conv = nn.Conv2d(inp, out, 1, bias=True)  # no BN: a 1x1 map per image
        project = [nn.Conv2d(out * 5, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
        if dropout > 0:
            project.append(nn.Dropout(dropout))
        self.project = nn.Sequential(*project)

    def forward(self, x):
        h, w = x.shape[-2:]
        pooled = F.relu(self.pool_conv(x.mean((2, 3), keepdim=True)))
        outs = [self.b0(x), self.b1(x), self.b2(x), self.b3(x), pooled.expand(-1, -1, h, w)]
        return self.project(torch.cat(outs, 1))


class DeepLabV3PlusDecoder(nn.Module):
    def __init__(self, high_channels, low_channels, num_classes, aspp_channels=256, rates=(6, 12, 18),
                 low_level_channels=48, head_convs=2, dropout=0.1):
        super().__init__()
        self.aspp = ASPP(high_channels, aspp_channels, rates, dropout)
        self.low_proj = conv_bn_relu(low_channels, low_level_channels, 1)
        head, inp = [], aspp_channels + low_level_channels
        for _ in range(head_convs):
            head += [nn.Conv2d(inp, aspp_channels, 3, padding=1, bias=False), nn.BatchNorm2d(aspp_channels),
                     nn.ReLU(inplace=True)]
            if dropout > 0:
                head.append(nn.Dropout(dropout))
            inp = aspp_channels
        self.head = nn.Sequential(*head)
        self.classifier = nn.Conv2d(inp, num_classes, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, low, high):
        low = self.low_proj(low)
        a = F.interpolate(self.aspp(high), size=low.shape[-2:], mode="bilinear", align_corners=False)
        return self.classifier(self.head(torch.cat([a, low], 1)))


class DeepLabV3Plus(nn.Module):
    """forward(x) -> logits at 1/4 of the input size (B, classes, H/4, W/4)."""

    def __init__(self, backbone="resnet50", width=64, output_stride=16, num_classes=21, aspp_channels=256,
                 low_level_channels=48, head_convs=2, dropout=0.1, aspp_rates=None):
        super().__init__()
        self.backbone = build_resnet(backbone, width, output_stride)
        if aspp_rates is None:
            aspp_rates = (12, 24, 36) if output_stride == 8 else (6, 12, 18)
        self.decoder = DeepLabV3PlusDecoder(self.backbone.high_channels, self.backbone.low_channels, num_classes,
                                            aspp_channels, aspp_rates, low_level_channels, head_convs, dropout)

    def forward(self, x):
        b = self.backbone
        x = b.maxpool(b.relu(b.bn1(b.conv1(x))))
        low = b.layer1(x)
        high = b.layer4(b.layer3(b.layer2(low)))
        return self.decoder(low, high)

    def encoder_parameters(self):
        return list(self.backbone.parameters())

    def decoder_parameters(self):
        return list(self.decoder.parameters())


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def conv_flops(model, input_shape, device="cpu"):
    """Forward FLOPs of one input of `input_shape` (C, H, W): 2 x multiply-accumulates of every nn.Conv2d
    and nn.Linear, counted with forward hooks (bias, BatchNorm, activations, pooling, resizing, softmax
    and losses are not counted)."""
    total = [0]

    def conv_hook(m, inp, out):
        k = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
        total[0] += 2 * k * out.numel() // out.shape[0]

    def linear_hook(m, inp, out):
        total[0] += 2 * m.in_features * out.numel() // out.shape[0]

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros((1,) + tuple(input_shape), device=device))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total[0]


def read_s4seg_tensors(path, prefix="param/"):
    """{name: tensor} of the records named prefix + name in an s4seg model or checkpoint file
    (docs/file-format.md): "param/" for parameters, "buffer/" for BatchNorm statistics."""
    dtypes = {"f32": torch.float32, "f64": torch.float64, "bf16": torch.bfloat16, "f16": torch.float16,
              "i64": torch.int64, "i32": torch.int32, "u8": torch.uint8, "bool": torch.bool}
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"S4SEGF\r\n":
        raise ValueError(f"{path}: not an s4seg file")
    raw = zlib.decompress(data[40:])
    (count,) = struct.unpack_from("<I", raw, 0)
    pos, out = 4, {}
    for _ in range(count):
        (nlen,) = struct.unpack_from("<I", raw, pos)
        name = raw[pos + 4:pos + 4 + nlen].decode()
        pos += 4 + nlen
        (vlen,) = struct.unpack_from("<Q", raw, pos)
        value = raw[pos + 8:pos + 8 + vlen]
        pos += 8 + vlen
        if not name.startswith(prefix):
            continue
        tlen = value[0]
        dtype = dtypes[value[1:1 + tlen].decode()]
        ndim = value[1 + tlen]
        shape = struct.unpack_from(f"<{ndim}q", value, 2 + tlen)
        body = bytearray(value[2 + tlen + 8 * ndim:])
        flat = torch.frombuffer(body, dtype=dtype) if body else torch.empty(0, dtype=dtype)
        out[name[len(prefix):]] = flat.reshape(shape).clone()
    return out


def add_model_args(p):
    p.add_argument("--backbone", default="resnet50", choices=sorted(BLOCKS))
    p.add_argument("--width", type=int, default=64, help="ResNet base width (s4seg model.width)")
    p.add_argument("--output-stride", type=int, default=16, choices=[8, 16])
    p.add_argument("--aspp-channels", type=int, default=256)
    p.add_argument("--low-level-channels", type=int, default=48)
    p.add_argument("--classes", type=int, default=21)


def model_from_args(a):
    return DeepLabV3Plus(a.backbone, a.width, a.output_stride, a.classes, a.aspp_channels, a.low_level_channels)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_model_args(p)
    p.add_argument("--crop", type=int, default=None, help="also print forward FLOPs of one crop x crop image")
    p.add_argument("--compare", metavar="MODEL", help="check names and shapes against an s4seg model file")
    a = p.parse_args()
    model = model_from_args(a)
    n = parameter_count(model)
    enc = sum(p.numel() for p in model.encoder_parameters())
    print(f"parameters {n} (encoder {enc}, decoder {n - enc}) tensors {len(list(model.parameters()))}")
    if a.crop:
        print(f"forward_gflops_per_image {conv_flops(model, (3, a.crop, a.crop)) / 1e9:.4f} at {a.crop}x{a.crop}")
    if a.compare:
        theirs = {k: tuple(v.shape) for k, v in read_s4seg_tensors(a.compare).items()}
        ours = {k: tuple(v.shape) for k, v in model.named_parameters()}
        bad = [k for k in sorted(set(ours) | set(theirs)) if ours.get(k) != theirs.get(k)]
        for k in bad[:20]:
            print(f"  mismatch {k}: reference {ours.get(k)} s4seg {theirs.get(k)}")
        s4 = sum(torch.Size(s).numel() for s in theirs.values())
        print(f"s4seg file: parameters {s4} tensors {len(theirs)}; "
              f"{'names and shapes identical' if not bad else f'{len(bad)} differences'}")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

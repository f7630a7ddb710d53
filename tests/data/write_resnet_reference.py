"""Writes torchvision ResNet weights and reference feature maps for the backbone parity test.

usage: python3 write_resnet_reference.py OUT_DIR DEPTH [DEPTH ...]

For each DEPTH (resnet18, resnet50, ...): OUT_DIR/DEPTH.pth is torch.save(model.state_dict()) of a
randomly initialised torchvision model whose BatchNorm statistics and affine parameters are also
random (so eval-mode BN is not the identity), and OUT_DIR/DEPTH_ref.pth a dict of tensors:
"input" (2, 3, 67, 85) and "os32.stem", "os32.layer1" .. "os32.layer4" from the unmodified model
in eval mode; for bottleneck depths also "os16.layer4" and "os8.layer3", "os8.layer4" from the
same weights with torchvision's replace_stride_with_dilation.
"""
import os
import sys

import torch
import torchvision


def stages(model, x):
    out = {}
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    out["stem"] = x
    for name in ("layer1", "layer2", "layer3", "layer4"):
        x = getattr(model, name)(x)
        out[name] = x
    return out


def build(depth, dilation=None):
    kwargs = {"replace_stride_with_dilation": dilation} if dilation else {}
    return getattr(torchvision.models, depth)(**kwargs).eval()


def main():
    out_dir, depths = sys.argv[1], sys.argv[2:]
    torch.manual_seed(0)
    for depth in depths:
        model = build(depth)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
        state = model.state_dict()
        torch.save(state, os.path.join(out_dir, depth + ".pth"))
        ref = {"input": torch.randn(2, 3, 67, 85)}
        with torch.no_grad():
            for name, value in stages(model, ref["input"]).items():
                ref["os32." + name] = value
            if depth in ("resnet50", "resnet101"):
                for os_, dilation, keep in ((16, [False, False, True], ("layer4",)),
                                            (8, [False, True, True], ("layer3", "layer4"))):
                    dilated = build(depth, dilation)
                    dilated.load_state_dict(state)
                    feats = stages(dilated, ref["input"])
                    for name in keep:
                        ref["os%d.%s" % (os_, name)] = feats[name]
        torch.save(ref, os.path.join(out_dir, depth + "_ref.pth"))


if __name__ == "__main__":
    main()

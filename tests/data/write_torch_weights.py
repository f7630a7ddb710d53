"""Writes torch.save files and their reference contents for the weight-file unit test.

usage: python3 write_torch_weights.py OUT_DIR

For each NAME below, OUT_DIR holds NAME.pth (torch.save, zip format), for some also
NAME_legacy.pth (_use_new_zipfile_serialization=False), NAME_ref.safetensors (the tensors the C++
reader must return, written here by a small json + struct writer: Debian has no safetensors
package) and NAME_names.txt (their names in state-dict order, one per line):

  resnet18    torchvision.models.resnet18().state_dict() (an OrderedDict with _metadata)
  plain       a plain dict: a transposed slice (non-contiguous, storage offset), two views of one
              storage, fp16, bf16, int64, bool, a 0-d and an empty tensor, and non-tensor values
  checkpoint  {"epoch", "state_dict", "optimizer"} as training scripts save it
  module      torch.save of a whole nn.Module (no names or reference: the reader must refuse it)
  complex     a state dict with a complex64 tensor (idem)
"""
import collections
import json
import os
import struct
import sys

import torch
import torchvision

SAFETENSORS_DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def tensors_of(obj):
    return collections.OrderedDict((k, v) for k, v in obj.items() if isinstance(v, torch.Tensor))


def write_case(out, name, obj, state_dict, legacy=False):
    torch.save(obj, os.path.join(out, name + ".pth"))
    if legacy:
        torch.save(obj, os.path.join(out, name + "_legacy.pth"), _use_new_zipfile_serialization=False)
    tensors = tensors_of(state_dict)
    write_safetensors(os.path.join(out, name + "_ref.safetensors"), tensors)
    with open(os.path.join(out, name + "_names.txt"), "w") as f:
        f.write("".join(k + "\n" for k in tensors))


def main():
    out = sys.argv[1]
    torch.manual_seed(0)

    resnet = torchvision.models.resnet18().state_dict()
    assert hasattr(resnet, "_metadata")
    write_case(out, "resnet18", resnet, resnet, legacy=True)

    base = torch.randn(6, 10)
    pair = torch.arange(12, dtype=torch.int32).reshape(2, 6)
    plain = {
        "view": base[1:5, 2:].t(),
        "half": torch.randn(3, 5).half(),
        "bf16": torch.randn(7).bfloat16(),
        "count": torch.tensor([1 << 40, -5, 3], dtype=torch.int64),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "empty": torch.zeros(0, 3),
        "row0": pair[0],
        "row1": pair[1],
        "note": "not a tensor",
        "steps": 3,
    }
    assert not plain["view"].is_contiguous() and plain["view"].storage_offset() > 0
    write_case(out, "plain", plain, plain, legacy=True)

    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Conv2d(4, 2, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.randn(2, 3, 8, 8)).sum().backward()
    opt.step()
    checkpoint = {"epoch": 7, "state_dict": net.state_dict(), "optimizer": opt.state_dict()}
    write_case(out, "checkpoint", checkpoint, checkpoint["state_dict"])

    torch.save(torch.nn.Linear(2, 2), os.path.join(out, "module.pth"))
    torch.save({"w": torch.ones(2), "z": torch.zeros(2, dtype=torch.complex64)}, os.path.join(out, "complex.pth"))


if __name__ == "__main__":
    main()

// Tensors as bytes, independent of LibTorch's archive format (so files move between 1.13 and 2.x):
//   dtype name (u8 length + text) | u8 ndim | ndim × i64 size | raw little-endian elements
#pragma once
#include <ATen/core/Tensor.h>

#include <string>

namespace s4seg {

std::string encode_tensor(const at::Tensor& t);
// Throws Error(Format) naming `who` on malformed bytes.
at::Tensor decode_tensor(const std::string& bytes, const std::string& who);

}  // namespace s4seg

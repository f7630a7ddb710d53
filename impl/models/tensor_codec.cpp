#include "models/tensor_codec.h"

#include <ATen/ATen.h>

#include <cstring>

#include "core/error.h"

namespace s4seg {

namespace {
struct DtypeName {
  at::ScalarType type;
  const char* name;
};
const DtypeName kDtypes[] = {{at::kFloat, "f32"}, {at::kDouble, "f64"}, {at::kBFloat16, "bf16"}, {at::kHalf, "f16"},
                             {at::kLong, "i64"},  {at::kInt, "i32"},    {at::kByte, "u8"},       {at::kBool, "bool"}};
}  // namespace

std::string encode_tensor(const at::Tensor& tensor) {
  at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
  const char* name = nullptr;
  for (const auto& d : kDtypes)
    if (d.type == t.scalar_type()) name = d.name;
  if (!name) fail(Status::Internal, std::string("cannot store tensors of type ") + c10::toString(t.scalar_type()));
  std::string out;
  out.push_back(static_cast<char>(std::strlen(name)));
  out += name;
  out.push_back(static_cast<char>(t.dim()));
  for (int64_t s : t.sizes()) out.append(reinterpret_cast<const char*>(&s), sizeof(s));
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

at::Tensor decode_tensor(const std::string& b, const std::string& who) {
  auto bad = [&](const std::string& why) { fail(Status::Format, who + ": " + why); };
  if (b.empty()) bad("empty tensor record");
  size_t pos = 0;
  size_t nlen = static_cast<uint8_t>(b[pos++]);
  if (b.size() < pos + nlen + 1) bad("truncated tensor record");
  std::string name = b.substr(pos, nlen);
  pos += nlen;
  at::ScalarType type = at::kFloat;
  bool known = false;
  for (const auto& d : kDtypes)
    if (name == d.name) type = d.type, known = true;
  if (!known) bad("unknown tensor type '" + name + "'");
  int ndim = static_cast<uint8_t>(b[pos++]);
  if (ndim > 8 || b.size() < pos + 8 * static_cast<size_t>(ndim)) bad("bad tensor shape");
  std::vector<int64_t> sizes(static_cast<size_t>(ndim));
  int64_t numel = 1;
  for (int i = 0; i < ndim; ++i) {
    std::memcpy(&sizes[static_cast<size_t>(i)], b.data() + pos, 8);
    pos += 8;
    if (sizes[static_cast<size_t>(i)] < 0 || sizes[static_cast<size_t>(i)] > (int64_t(1) << 40)) bad("bad tensor shape");
    numel *= sizes[static_cast<size_t>(i)];
    if (numel > (int64_t(1) << 40)) bad("bad tensor shape");
  }
  at::Tensor t = at::empty(sizes, at::TensorOptions().dtype(type));
  size_t nbytes = static_cast<size_t>(numel) * t.element_size();
  if (b.size() - pos != nbytes) bad("tensor data has " + std::to_string(b.size() - pos) + " bytes, expected " + std::to_string(nbytes));
  if (nbytes) std::memcpy(t.data_ptr(), b.data() + pos, nbytes);
  return t;
}

}  // namespace s4seg

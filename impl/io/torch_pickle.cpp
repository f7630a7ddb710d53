#include "io/torch_pickle.h"

#include <torch/types.h>

#include "core/error.h"

namespace s4seg {

namespace {

using Kind = PickleValue::Kind;

// A tensor as _rebuild_tensor_v2/v3 describe it, materialized only if a state dict asks for it.
struct TensorRecipe : PickleNative {
  std::shared_ptr<TorchStorage> storage;
  int64_t offset = 0;
  std::vector<int64_t> size;
  std::vector<int64_t> stride;
  bool has_dtype = false;  // v3 passes the dtype explicitly; v2 takes the storage's
  c10::ScalarType dtype = c10::ScalarType::Byte;
  std::string dtype_name;  // v3's dtype when it is not one this reader materializes
};

struct StorageTypeInfo {
  const char* name;
  size_t element_size;
  bool has_dtype;
  c10::ScalarType dtype;
};

// Element sizes of the unsupported types too: the legacy format must step over their data.
const StorageTypeInfo kStorageTypes[] = {
    {"FloatStorage", 4, true, c10::ScalarType::Float},       {"DoubleStorage", 8, true, c10::ScalarType::Double},
    {"HalfStorage", 2, true, c10::ScalarType::Half},         {"BFloat16Storage", 2, true, c10::ScalarType::BFloat16},
    {"LongStorage", 8, true, c10::ScalarType::Long},         {"IntStorage", 4, true, c10::ScalarType::Int},
    {"ShortStorage", 2, true, c10::ScalarType::Short},       {"CharStorage", 1, true, c10::ScalarType::Char},
    {"ByteStorage", 1, true, c10::ScalarType::Byte},         {"BoolStorage", 1, true, c10::ScalarType::Bool},
    {"UntypedStorage", 1, true, c10::ScalarType::Byte},      {"ComplexFloatStorage", 8, false, c10::ScalarType::Byte},
    {"ComplexDoubleStorage", 16, false, c10::ScalarType::Byte}, {"QInt8Storage", 1, false, c10::ScalarType::Byte},
    {"QUInt8Storage", 1, false, c10::ScalarType::Byte},      {"QInt32Storage", 4, false, c10::ScalarType::Byte},
    {"QUInt4x2Storage", 1, false, c10::ScalarType::Byte},    {"QUInt2x4Storage", 1, false, c10::ScalarType::Byte},
};

struct DtypeName {
  const char* name;
  c10::ScalarType dtype;
};
const DtypeName kDtypeNames[] = {
    {"float32", c10::ScalarType::Float}, {"float", c10::ScalarType::Float},       {"float64", c10::ScalarType::Double},
    {"double", c10::ScalarType::Double}, {"float16", c10::ScalarType::Half},      {"half", c10::ScalarType::Half},
    {"bfloat16", c10::ScalarType::BFloat16}, {"int64", c10::ScalarType::Long},    {"long", c10::ScalarType::Long},
    {"int32", c10::ScalarType::Int},     {"int", c10::ScalarType::Int},           {"int16", c10::ScalarType::Short},
    {"short", c10::ScalarType::Short},   {"int8", c10::ScalarType::Char},         {"uint8", c10::ScalarType::Byte},
    {"bool", c10::ScalarType::Bool},
};

std::string last_component(const std::string& dotted) {
  size_t dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

bool is_global(const PickleRef& v, const char* name) { return v && v->kind == Kind::Global && v->text == name; }

std::shared_ptr<TensorRecipe> recipe_of(const PickleRef& v) {
  if (!v || v->kind != Kind::Object) return nullptr;
  return std::dynamic_pointer_cast<TensorRecipe>(v->native);
}

int64_t mul_checked(int64_t a, int64_t b, bool* overflow) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) *overflow = true;
  return r;
}
int64_t add_checked(int64_t a, int64_t b, bool* overflow) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) *overflow = true;
  return r;
}

torch::Tensor materialize(const TensorRecipe& r, const std::string& name, TorchStorageSource& source,
                          const std::string& who) {
  const std::string what = who + ": tensor '" + name + "'";
  const TorchStorage& s = *r.storage;
  if (!r.has_dtype && !s.has_dtype)
    fail(Status::Unsupported, what + " is stored as " + s.type_name + ", which is not supported");
  if (r.has_dtype && !r.dtype_name.empty())
    fail(Status::Unsupported, what + " has dtype " + r.dtype_name + ", which is not supported");
  c10::ScalarType dtype = r.has_dtype ? r.dtype : s.dtype;
  int64_t elem = static_cast<int64_t>(c10::elementSize(dtype));
  if (r.size.size() != r.stride.size()) fail(Status::Format, what + " has a size and a stride of different ranks");
  if (r.offset < 0) fail(Status::Format, what + " has a negative storage offset");
  bool overflow = false;
  int64_t numel = 1;
  int64_t last = r.offset;  // index of the last element addressed
  for (size_t d = 0; d < r.size.size(); ++d) {
    if (r.size[d] < 0 || r.stride[d] < 0) fail(Status::Format, what + " has a negative size or stride");
    numel = mul_checked(numel, r.size[d], &overflow);
    if (r.size[d] > 0) last = add_checked(last, mul_checked(r.size[d] - 1, r.stride[d], &overflow), &overflow);
  }
  int64_t needed_bytes = mul_checked(add_checked(last, 1, &overflow), elem, &overflow);
  if (overflow) fail(Status::Format, what + " has an impossible size/stride/offset");
  if (numel == 0) return torch::empty(r.size, torch::TensorOptions().dtype(dtype));

  std::pair<const uint8_t*, size_t> bytes = source.bytes(s.key);
  if (s.is_view) {
    if (s.view_offset_bytes > bytes.second || s.view_size_bytes > bytes.second - s.view_offset_bytes)
      fail(Status::Format, what + " views bytes past the end of storage '" + s.key + "'");
    bytes.first += s.view_offset_bytes;
    bytes.second = static_cast<size_t>(s.view_size_bytes);
  }
  if (static_cast<uint64_t>(needed_bytes) > bytes.second)
    fail(Status::Format, what + " needs " + std::to_string(needed_bytes) + " bytes of storage '" + s.key +
                             "', which has " + std::to_string(bytes.second) + " (size, stride and offset do not fit)");
  // Copy the addressed bytes first: the source may be unaligned for `dtype` (legacy format).
  int64_t start = r.offset * elem;
  uint8_t* first = const_cast<uint8_t*>(bytes.first) + start;
  torch::Tensor raw = torch::from_blob(first, {needed_bytes - start}, torch::kUInt8).clone();
  if (dtype == c10::ScalarType::Bool && raw.gt(1).any().item<bool>())
    fail(Status::Format, what + " holds bool bytes other than 0 and 1");
  return raw.view(dtype).as_strided(r.size, r.stride, 0).clone(at::MemoryFormat::Contiguous);
}

}  // namespace

size_t torch_storage_type_info(const std::string& type_name, c10::ScalarType* dtype, bool* has_dtype) {
  for (const StorageTypeInfo& t : kStorageTypes) {
    if (type_name == t.name) {
      *dtype = t.dtype;
      *has_dtype = t.has_dtype;
      return t.element_size;
    }
  }
  *has_dtype = false;
  return 0;
}

PickleRef TorchUnpickler::call(const PickleRef& callable, const PickleRef& args) {
  if (is_global(callable, "collections.OrderedDict")) {
    PickleRef d = make_pickle_value(Kind::Dict);
    // OrderedDict(pairs) as older pickles may spell it; torch.save's protocol 2 fills it with SETITEMS.
    if (!args->items.empty() && args->items[0]->kind == Kind::List) {
      for (const PickleRef& pair : args->items[0]->items)
        if (pair->kind == Kind::Tuple && pair->items.size() == 2) d->set(pair->items[0], pair->items[1]);
    }
    return d;
  }
  if (is_global(callable, "torch._utils._rebuild_tensor_v2") ||
      is_global(callable, "torch._utils._rebuild_tensor_v3") || is_global(callable, "torch._utils._rebuild_tensor"))
    return rebuild_tensor(callable->text, args);
  if (is_global(callable, "torch._utils._rebuild_parameter") ||
      is_global(callable, "torch._utils._rebuild_parameter_with_state")) {
    if (args->items.empty() || !recipe_of(args->items[0]))
      fail(Status::Format, who_ + ": corrupt pickle (" + callable->text + " of a non-tensor)");
    return args->items[0];  // a Parameter is its data tensor here
  }
  return PickleHandler::call(callable, args);
}

PickleRef TorchUnpickler::rebuild_tensor(const std::string& fn, const PickleRef& args) {
  const std::vector<PickleRef>& a = args->items;
  const bool v3 = fn == "torch._utils._rebuild_tensor_v3";
  auto bad = [&](const std::string& why) -> void {
    fail(Status::Format, who_ + ": corrupt pickle (" + fn + ": " + why + ")");
  };
  if (a.size() < (v3 ? 7u : 4u)) bad("too few arguments");
  auto recipe = std::make_shared<TensorRecipe>();
  if (a[0]->kind == Kind::Object) recipe->storage = std::dynamic_pointer_cast<TorchStorage>(a[0]->native);
  if (!recipe->storage) bad("first argument is not a storage");
  if (a[1]->kind != Kind::Int) bad("storage offset is not an int");
  recipe->offset = a[1]->integer;
  for (int which = 2; which <= 3; ++which) {
    if (a[which]->kind != Kind::Tuple) bad(which == 2 ? "size is not a tuple" : "stride is not a tuple");
    std::vector<int64_t>& out = which == 2 ? recipe->size : recipe->stride;
    for (const PickleRef& v : a[which]->items) {
      if (v->kind != Kind::Int) bad("size or stride holds a non-int");
      out.push_back(v->integer);
    }
  }
  if (v3) {
    if (a[6]->kind != Kind::Global) bad("dtype is not a torch dtype");
    recipe->has_dtype = true;
    recipe->dtype_name = last_component(a[6]->text);
    for (const DtypeName& d : kDtypeNames) {
      if (recipe->dtype_name == d.name) {
        recipe->dtype = d.dtype;
        recipe->dtype_name.clear();
        break;
      }
    }
  }
  PickleRef t = make_pickle_value(Kind::Object);
  t->text = "torch.Tensor";
  t->native = recipe;
  return t;
}

PickleRef TorchUnpickler::persistent_load(const PickleRef& pid) {
  auto bad = [&](const std::string& why) -> void {
    fail(Status::Format, who_ + ": corrupt pickle (persistent id " + why + ")");
  };
  if (pid->kind != Kind::Tuple || pid->items.size() < 5 || !pid->items[0]->is_str() || pid->items[0]->text != "storage")
    bad("is not ('storage', type, key, location, numel)");
  const std::vector<PickleRef>& a = pid->items;
  if (a[1]->kind != Kind::Global) bad("has no storage class");
  if (!a[2]->is_str() && a[2]->kind != Kind::Int) bad("has no key");
  if (a[4]->kind != Kind::Int || a[4]->integer < 0) bad("has no element count");
  auto s = std::make_shared<TorchStorage>();
  s->key = a[2]->is_str() ? a[2]->text : std::to_string(a[2]->integer);
  s->type_name = last_component(a[1]->text);
  s->element_size = torch_storage_type_info(s->type_name, &s->dtype, &s->has_dtype);
  s->numel = a[4]->integer;
  auto known = storages_.find(s->key);
  if (known == storages_.end()) {
    storages_.emplace(s->key, s);
  } else if (known->second->type_name != s->type_name) {
    bad("gives storage '" + s->key + "' two types");
  }
  // Legacy view metadata: (view_key, offset, size) in elements of the storage type.
  if (a.size() >= 6 && a[5]->kind == Kind::Tuple) {
    const std::vector<PickleRef>& v = a[5]->items;
    if (v.size() != 3 || v[1]->kind != Kind::Int || v[2]->kind != Kind::Int || v[1]->integer < 0 || v[2]->integer < 0 ||
        s->element_size == 0)
      bad("has malformed view metadata");
    auto view = std::make_shared<TorchStorage>(*s);
    bool overflow = false;
    const int64_t elem = static_cast<int64_t>(s->element_size);
    view->is_view = true;
    view->view_offset_bytes = static_cast<uint64_t>(mul_checked(v[1]->integer, elem, &overflow));
    view->view_size_bytes = static_cast<uint64_t>(mul_checked(v[2]->integer, elem, &overflow));
    if (overflow) bad("has an impossible view");
    s = view;
  }
  PickleRef obj = make_pickle_value(Kind::Object);
  obj->text = "torch." + s->type_name;
  obj->native = s;
  return obj;
}

std::vector<NamedTensor> torch_state_dict_tensors(const PickleRef& root, TorchStorageSource& source,
                                                  const std::string& who) {
  if (root->kind == Kind::Object)
    fail(Status::Unsupported, who + " holds a pickled " + root->text +
                                  ", not a state dict (save model.state_dict() instead of the model)");
  if (root->kind != Kind::Dict) fail(Status::Format, who + " holds a " + root->describe() + ", not a state dict");
  PickleRef dict = root;
  for (const char* nest : {"state_dict", "model_state_dict", "model"}) {
    PickleRef inner = root->get(nest);
    if (inner && inner->kind == Kind::Dict) {
      dict = inner;
      break;
    }
  }
  std::vector<NamedTensor> out;
  for (const auto& entry : dict->entries) {
    if (!entry.first->is_str()) continue;
    const std::string& name = entry.first->text;
    if (std::shared_ptr<TensorRecipe> r = recipe_of(entry.second)) {
      out.push_back({name, materialize(*r, name, source, who)});
    } else if (entry.second->kind == Kind::Object && entry.second->text.rfind("torch._utils._rebuild_", 0) == 0) {
      fail(Status::Unsupported, who + ": tensor '" + name + "' is stored by " + entry.second->text +
                                    " (quantized, sparse or other special tensor), which is not supported");
    }
  }
  return out;
}

}  // namespace s4seg

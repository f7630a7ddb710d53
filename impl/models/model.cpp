#include "models/model.h"

#include <torch/utils.h>

#include "core/device.h"
#include "core/error.h"
#include "io/container.h"
#include "models/class_info.h"
#include "models/pretrained.h"
#include "models/tensor_codec.h"

namespace s4seg {

bool wants_channels_last(const Config& c, const c10::Device& d) {
  std::string v = c.get_string("train.channels_last");
  return v == "on" || (v == "auto" && d.is_cuda());
}

namespace {

std::shared_ptr<Model> build(const Config& config, const c10::Device& device) {
  auto m = std::make_shared<Model>();
  m->config = config;
  m->device = device;
  torch::manual_seed(static_cast<uint64_t>(config.get_int("train.seed")));
  m->net = SegmentationNet(SegNetOptions::from_config(config));
  m->net->to(device);
  m->channels_last = wants_channels_last(config, device);
  apply_memory_format(*m);
  return m;
}
}  // namespace

bool wants_bf16_autocast(const Config& c, const c10::Device& d) {
  const std::string v = c.get_string("train.amp");
  return v == "bf16" || (v == "auto" && d.is_cuda());
}

void apply_memory_format(Model& model) {
  if (!model.channels_last) return;
  torch::NoGradGuard ng;
  for (auto& p : model.net->parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
}

std::shared_ptr<Model> create_model(const Config& config) {
  validate_class_info(config);
  std::shared_ptr<Model> m = build(config, resolve_device(config.get_string("device")));
  const std::string pretrained = config.get_string("model.pretrained");
  if (!pretrained.empty())
    m->backbone_report = load_backbone_file(*m, pretrained, config.get_bool("model.pretrained_partial")).text();
  return m;
}

std::shared_ptr<Model> clone_model(const Model& model) {
  std::shared_ptr<Model> m = build(model.config, model.device);
  torch::NoGradGuard ng;
  auto src_p = model.net->parameters(), dst_p = m->net->parameters();
  for (size_t i = 0; i < src_p.size(); ++i) dst_p[i].copy_(src_p[i]);
  auto src_b = model.net->buffers(), dst_b = m->net->buffers();
  for (size_t i = 0; i < src_b.size(); ++i) dst_b[i].copy_(src_b[i]);
  return m;
}

void write_weight_records(const Model& model, Records& out, const std::string& prefix) {
  for (const auto& kv : model.net->named_parameters()) out[prefix + "param/" + kv.key()] = encode_tensor(kv.value());
  for (const auto& kv : model.net->named_buffers()) out[prefix + "buffer/" + kv.key()] = encode_tensor(kv.value());
}

void write_model_records(const Model& model, Records& out) {
  out["config"] = model.config.to_text();
  write_weight_records(model, out, "");
}

StagedWeights::StagedWeights(Model& model, const Records& records, const std::string& who, const std::string& prefix) {
  auto stage = [&](const std::string& name, const torch::Tensor& dst) {
    const std::string key = prefix + name;
    at::Tensor src = decode_tensor(record_at(records, key, who), who + " '" + key + "'");
    if (src.sizes() != dst.sizes())
      fail(Status::Format, who + ": '" + key + "' has shape " + c10::str(src.sizes()) + " but the model expects " +
                               c10::str(dst.sizes()) + " (different architecture?)");
    pairs_.emplace_back(dst, src);
  };
  for (const auto& kv : model.net->named_parameters()) stage("param/" + kv.key(), kv.value());
  for (const auto& kv : model.net->named_buffers()) stage("buffer/" + kv.key(), kv.value());
}

void StagedWeights::commit() {
  torch::NoGradGuard ng;
  for (auto& p : pairs_) p.first.copy_(p.second.to(p.first.dtype()));
}

void load_weights(Model& model, const Records& records, const std::string& who) {
  StagedWeights(model, records, who).commit();
}

std::shared_ptr<Model> model_from_records(const Records& records, const std::string& device_spec, const std::string& who,
                                          ConfigResolver resolve) {
  Config config;
  try {
    config.parse(record_at(records, "config", who));
  } catch (const Error& e) {
    fail(Status::Format, who + ": stored config is not valid here: " + e.what());
  }
  config.set_string("device", device_spec);
  if (resolve) resolve(config);
  std::shared_ptr<Model> m = build(config, resolve_device(device_spec));
  load_weights(*m, records, who);
  return m;
}

void save_model(const Model& model, const std::string& path) {
  Records r;
  write_model_records(model, r);
  write_container(path, ContainerKind::Model, pack_records(r));
}

std::shared_ptr<Model> load_model(const std::string& path, const std::string& device_spec, ConfigResolver resolve) {
  ContainerKind kind;
  std::string raw = read_container(path, &kind);
  const std::string who = "'" + path + "'";
  return model_from_records(unpack_records(raw, who), device_spec, who, resolve);
}

}  // namespace s4seg

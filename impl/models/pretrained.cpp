#include "models/pretrained.h"

#include <torch/utils.h>

#include <map>
#include <set>

#include "core/error.h"
#include "core/text.h"

namespace s4seg {

namespace {
const char* const kEncoderPrefixes[] = {"backbone.", "branch2_backbone."};

// torchvision name → the model tensors it fills (one per encoder), in registration order.
std::map<std::string, std::vector<torch::Tensor>> encoder_slots(Model& model, std::vector<std::string>& order) {
  std::map<std::string, std::vector<torch::Tensor>> slots;
  auto add = [&](const std::string& full, const torch::Tensor& t) {
    for (const char* prefix : kEncoderPrefixes) {
      if (!starts_with(full, prefix)) continue;
      const std::string name = full.substr(std::string(prefix).size());
      auto& list = slots[name];
      if (list.empty()) order.push_back(name);
      list.push_back(t);
    }
  };
  for (const auto& kv : model.net->named_parameters()) add(kv.key(), kv.value());
  for (const auto& kv : model.net->named_buffers()) add(kv.key(), kv.value());
  return slots;
}

// "module.backbone.conv1.weight" → "conv1.weight": the prefixes DataParallel and segmentation
// checkpoints put in front of the encoder's own names.
std::string plain_name(std::string name) {
  for (const char* prefix : {"module.", "backbone."})
    if (starts_with(name, prefix)) name = name.substr(std::string(prefix).size());
  return name;
}

std::string join_some(const std::vector<std::string>& names) {
  const size_t shown = std::min<size_t>(names.size(), 8);
  std::string out;
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += " (and " + std::to_string(names.size() - shown) + " more)";
  return out;
}
}  // namespace

std::string BackboneLoadReport::text() const {
  std::string s = "loaded " + std::to_string(loaded) + " encoder tensors from '" + path + "'";
  if (!classifier.empty()) s += "; skipped the classifier (" + join_some(classifier) + ")";
  if (!missing.empty()) s += "; missing from the file: " + join_some(missing);
  if (!unexpected.empty()) s += "; not in the encoder: " + join_some(unexpected);
  if (!mismatched.empty()) s += "; shape mismatch: " + join_some(mismatched);
  return s;
}

BackboneLoadReport load_backbone_tensors(Model& model, const std::vector<NamedTensor>& tensors, const std::string& source,
                                         bool allow_partial) {
  BackboneLoadReport report;
  report.path = source;
  std::vector<std::string> order;
  std::map<std::string, std::vector<torch::Tensor>> slots = encoder_slots(model, order);
  std::set<std::string> seen;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> staged;  // (destination, source)
  for (const NamedTensor& nt : tensors) {
    const std::string name = plain_name(nt.name);
    if (!seen.insert(name).second)
      fail(Status::Format, "'" + source + "': tensor '" + name + "' appears twice (as '" + nt.name + "' too)");
    if (starts_with(name, "fc.")) {
      report.classifier.push_back(name);
      continue;
    }
    auto it = slots.find(name);
    if (it == slots.end()) {
      report.unexpected.push_back(nt.name);
      continue;
    }
    const torch::Tensor& dst = it->second.front();
    if (nt.tensor.sizes() != dst.sizes() || nt.tensor.is_floating_point() != dst.is_floating_point()) {
      report.mismatched.push_back(name + ": file " + c10::str(nt.tensor.sizes()) + " " + c10::toString(nt.tensor.scalar_type()) +
                                  " vs model " + c10::str(dst.sizes()) + " " + c10::toString(dst.scalar_type()));
      continue;
    }
    for (const torch::Tensor& d : it->second) staged.emplace_back(d, nt.tensor);
    // A step counter fits any width: it must not make a wrong file look like a partial match.
    if (!ends_with(name, "num_batches_tracked")) ++report.loaded;
  }
  for (const std::string& name : order)
    if (!seen.count(name) && !ends_with(name, "num_batches_tracked")) report.missing.push_back(name);

  if (report.loaded == 0)
    fail(Status::Format, "'" + source + "' has no tensor that fits the " + model.config.get_string("model.backbone") +
                             " encoder (" + report.text() + "); is it a torchvision ResNet state dict?");
  if (!allow_partial && !report.complete())
    fail(Status::Format, "'" + source + "' does not match the " + model.config.get_string("model.backbone") + " encoder of width " +
                             std::to_string(model.config.get_int("model.width")) + ": " + report.text() +
                             " (nothing was loaded; allow partial loading to load the rest)");
  torch::NoGradGuard no_grad;
  for (auto& p : staged) p.first.copy_(p.second.to(p.first.scalar_type()));
  return report;
}

BackboneLoadReport load_backbone_file(Model& model, const std::string& path, bool allow_partial) {
  return load_backbone_tensors(model, read_weight_file(path), path, allow_partial);
}

std::vector<NamedTensor> backbone_tensors(const Model& model) {
  std::vector<NamedTensor> out;
  const std::string prefix = kEncoderPrefixes[0];
  auto take = [&](const std::string& full, const torch::Tensor& t) {
    if (starts_with(full, prefix)) out.push_back({full.substr(prefix.size()), t.detach().to(torch::kCPU).contiguous()});
  };
  for (const auto& kv : model.net->named_parameters()) take(kv.key(), kv.value());
  for (const auto& kv : model.net->named_buffers()) take(kv.key(), kv.value());
  return out;
}

}  // namespace s4seg

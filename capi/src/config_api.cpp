#include <cstring>

#include "api_guard.h"
#include "core/config.h"
#include "handles.h"
#include "methods/method_registry.h"

#define CHECK_CONFIG_KEY(cfg, key)                          \
  S4SEG_CHECK_ARG(cfg, "config must not be NULL");         \
  S4SEG_CHECK_ARG(key, "key must not be NULL")

namespace {
// train.method names a registered method. The registry sits above core/, so the value is checked
// here, before it is stored (core/ accepts any text for it).
void check_method_value(const std::string& key, const std::string& value) {
  if (key != "train.method" || s4seg::is_registered_method(value)) return;
  s4seg::fail(s4seg::Status::InvalidArgument,
              "train.method: '" + value + "' is not allowed (a registered method: " + s4seg::method_names() + ")");
}
}  // namespace

extern "C" {

s4seg_status s4seg_config_create(s4seg_config** out) noexcept {
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  *out = new s4seg_config();
  S4SEG_API_END
}

s4seg_status s4seg_config_clone(const s4seg_config* config, s4seg_config** out) noexcept {
  S4SEG_CHECK_ARG(config, "config must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  *out = new s4seg_config(*config);
  S4SEG_API_END
}

void s4seg_config_free(s4seg_config* config) noexcept {
  S4SEG_API_VOID_BEGIN
  delete config;
  S4SEG_API_VOID_END
}

s4seg_status s4seg_config_set_int(s4seg_config* config, const char* key, int64_t value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_API_BEGIN
  config->config.set_int(key, value);
  S4SEG_API_END
}

s4seg_status s4seg_config_set_double(s4seg_config* config, const char* key, double value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_API_BEGIN
  config->config.set_double(key, value);
  S4SEG_API_END
}

s4seg_status s4seg_config_set_bool(s4seg_config* config, const char* key, int value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_API_BEGIN
  config->config.set_bool(key, value != 0);
  S4SEG_API_END
}

s4seg_status s4seg_config_set_string(s4seg_config* config, const char* key, const char* value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_CHECK_ARG(value, "value must not be NULL");
  S4SEG_API_BEGIN
  check_method_value(key, value);
  config->config.set_string(key, value);
  S4SEG_API_END
}

s4seg_status s4seg_config_set(s4seg_config* config, const char* key, const char* text) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_CHECK_ARG(text, "text must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Config updated = config->config;  // all-or-nothing: the key's own checks, then the method's
  updated.set_text(key, text);
  check_method_value(key, updated.get_text(key));
  config->config = std::move(updated);
  S4SEG_API_END
}

s4seg_status s4seg_config_get_int(const s4seg_config* config, const char* key, int64_t* value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_CHECK_ARG(value, "value must not be NULL");
  S4SEG_API_BEGIN
  *value = config->config.get_int(key);
  S4SEG_API_END
}

s4seg_status s4seg_config_get_double(const s4seg_config* config, const char* key, double* value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_CHECK_ARG(value, "value must not be NULL");
  S4SEG_API_BEGIN
  *value = config->config.get_double(key);
  S4SEG_API_END
}

s4seg_status s4seg_config_get_bool(const s4seg_config* config, const char* key, int* value) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_CHECK_ARG(value, "value must not be NULL");
  S4SEG_API_BEGIN
  *value = config->config.get_bool(key) ? 1 : 0;
  S4SEG_API_END
}

s4seg_status s4seg_config_get_string(const s4seg_config* config, const char* key, char* buf, size_t capacity,
                                     size_t* needed) noexcept {
  CHECK_CONFIG_KEY(config, key);
  S4SEG_API_BEGIN
  std::string text = config->config.get_text(key);
  return s4seg::copy_text_out(text, buf, capacity, needed, key);
  S4SEG_API_END
}

s4seg_status s4seg_config_parse(s4seg_config* config, const char* text) noexcept {
  S4SEG_CHECK_ARG(config, "config must not be NULL");
  S4SEG_CHECK_ARG(text, "text must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Config updated = config->config;
  updated.parse(text);
  check_method_value("train.method", updated.get_string("train.method"));
  config->config = std::move(updated);
  S4SEG_API_END
}

size_t s4seg_config_key_count(void) noexcept { return s4seg::registry_size(); }

s4seg_status s4seg_config_key_info(size_t index, const char** name, s4seg_value_type* type, const char** default_value,
                                   const char** allowed, const char** doc) noexcept {
  S4SEG_API_BEGIN
  s4seg::require(index < s4seg::registry_size(),
                  "index " + std::to_string(index) + " out of range (" + std::to_string(s4seg::registry_size()) + " keys)");
  const s4seg::KeySpec& k = s4seg::registry_begin()[index];
  if (name) *name = k.name;
  if (type) *type = static_cast<s4seg_value_type>(k.type);
  if (default_value) *default_value = k.default_value;
  if (allowed) *allowed = s4seg::allowed_text(k);
  if (doc) *doc = k.doc;
  S4SEG_API_END
}

}  // extern "C"

#include "api_guard.h"

#include <c10/util/Exception.h>

#include <cstring>
#include <exception>

#include "core/text.h"

namespace s4seg {

static_assert(static_cast<int>(Status::InvalidArgument) == S4SEG_INVALID_ARGUMENT, "status values drifted");
static_assert(static_cast<int>(Status::OutOfMemory) == S4SEG_OUT_OF_MEMORY, "status values drifted");
static_assert(static_cast<int>(Status::Io) == S4SEG_IO, "status values drifted");
static_assert(static_cast<int>(Status::Format) == S4SEG_FORMAT, "status values drifted");
static_assert(static_cast<int>(Status::Unsupported) == S4SEG_UNSUPPORTED, "status values drifted");
static_assert(static_cast<int>(Status::Device) == S4SEG_DEVICE, "status values drifted");
static_assert(static_cast<int>(Status::Cancelled) == S4SEG_CANCELLED, "status values drifted");
static_assert(static_cast<int>(Status::Diverged) == S4SEG_DIVERGED, "status values drifted");
static_assert(static_cast<int>(Status::State) == S4SEG_STATE, "status values drifted");
static_assert(static_cast<int>(Status::Internal) == S4SEG_INTERNAL, "status values drifted");
static_assert(static_cast<int>(Status::BufferTooSmall) == S4SEG_BUFFER_TOO_SMALL, "status values drifted");

namespace {
thread_local std::string t_last_error;
}  // namespace

s4seg_status set_error(s4seg_status status, const char* message) noexcept {
  try {
    t_last_error = message;
  } catch (...) {
    t_last_error.clear();  // could not even store the message: the status still tells
  }
  return status;
}

s4seg_status set_error(s4seg_status status, const std::string& message) noexcept { return set_error(status, message.c_str()); }

void clear_error() noexcept { t_last_error.clear(); }

s4seg_status copy_text_out(const std::string& text, char* buf, size_t capacity, size_t* needed, const std::string& what) {
  if (needed) *needed = text.size() + 1;
  if (!buf || capacity < text.size() + 1)
    return set_error(S4SEG_BUFFER_TOO_SMALL, what + ": buffer of " + std::to_string(capacity) + " bytes; " +
                                                 std::to_string(text.size() + 1) + " needed");
  std::memcpy(buf, text.c_str(), text.size() + 1);
  return S4SEG_OK;
}

const char* last_error_c_str() { return t_last_error.c_str(); }

namespace {
s4seg_status translate(std::exception_ptr in_flight) {
  try {
    std::rethrow_exception(in_flight);
  } catch (const Error& e) {
    return set_error(static_cast<s4seg_status>(e.status()), e.what());
  } catch (const c10::OutOfMemoryError& e) {
    return set_error(S4SEG_OUT_OF_MEMORY, "device out of memory: " + first_line(e.what_without_backtrace()) +
                                              " (try a smaller train.batch_size or train.crop_size, or call "
                                              "s4seg_release_cached_memory)");
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    // Some LibTorch builds report CUDA OOM as a plain c10::Error.
    if (msg.find("out of memory") != std::string::npos) return set_error(S4SEG_OUT_OF_MEMORY, "device out of memory: " + first_line(msg));
    return set_error(S4SEG_INTERNAL, "LibTorch error: " + first_line(msg));
  } catch (const std::bad_alloc&) {
    return set_error(S4SEG_OUT_OF_MEMORY, "host out of memory");
  } catch (const std::exception& e) {
    return set_error(S4SEG_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return set_error(S4SEG_INTERNAL, "internal error: unknown exception");
  }
}
}  // namespace

s4seg_status translate_current_exception() noexcept {
  try {
    return translate(std::current_exception());
  } catch (...) {  // building the message failed (out of memory): the status still tells
    return set_error(S4SEG_OUT_OF_MEMORY, "out of memory while reporting an error");
  }
}

}  // namespace s4seg

// The exception type the core throws; the C boundary turns it into a status code and message.
#pragma once
#include <stdexcept>
#include <string>

namespace s4seg {

// Same values as s4seg_status in the public header (checked by static_assert in capi/src).
enum class Status {
  Ok = 0,
  InvalidArgument = 1,
  OutOfMemory = 2,
  Io = 3,
  Format = 4,
  Unsupported = 5,
  Device = 6,
  Cancelled = 7,
  Diverged = 8,
  State = 9,
  Internal = 10,
  BufferTooSmall = 11,
};

class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Status status() const { return status_; }

 private:
  Status status_;
};

[[noreturn]] inline void fail(Status status, const std::string& message) { throw Error(status, message); }

inline void require(bool ok, const std::string& message) {
  if (!ok) fail(Status::InvalidArgument, message);
}

}  // namespace s4seg

// Keeps the weight readers' promise that only s4seg::Error leaves them: LibTorch's zip reader and
// tensor ops throw c10::Error, allocation throws std::bad_alloc.
#pragma once
#include <c10/util/Exception.h>

#include <new>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "core/text.h"

namespace s4seg {

template <typename Fn>
auto guard_weight_io(const std::string& path, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail(Status::OutOfMemory, "out of memory reading or writing '" + path + "'");
  } catch (const c10::Error& e) {
    fail(Status::Format, "'" + path + "': " + first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail(Status::Format, "'" + path + "': " + first_line(e.what()));
  }
}

}  // namespace s4seg

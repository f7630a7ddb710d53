// The exception firewall: every extern "C" body is S4SEG_API_BEGIN ... S4SEG_API_END, which turns
// any exception into a status code plus the calling thread's error message.
#pragma once
#include <c10/util/Exception.h>

#include <new>
#include <string>

#include "core/error.h"
#include "s4seg/s4seg.h"

namespace s4seg {

// Records `message` as this thread's last error and returns `status`. Never throws: when even the
// message cannot be stored, the error text is left empty and the status still tells.
s4seg_status set_error(s4seg_status status, const char* message) noexcept;
s4seg_status set_error(s4seg_status status, const std::string& message) noexcept;
void clear_error() noexcept;
// Copies `text` and its NUL into the caller's buffer; `*needed` (when not NULL) receives the size.
// Returns S4SEG_BUFFER_TOO_SMALL (with a message naming `what`) when it does not fit.
s4seg_status copy_text_out(const std::string& text, char* buf, size_t capacity, size_t* needed, const std::string& what);
// Maps the in-flight exception (call inside a catch block) to a status. Never throws.
s4seg_status translate_current_exception() noexcept;

}  // namespace s4seg

#define S4SEG_API_BEGIN \
  try {                 \
    ::s4seg::clear_error();
#define S4SEG_API_END                                \
  return S4SEG_OK;                                   \
  }                                                  \
  catch (...) {                                      \
    return ::s4seg::translate_current_exception();   \
  }

// For void functions (every *_free): swallow everything, nothing to report.
#define S4SEG_API_VOID_BEGIN try {
#define S4SEG_API_VOID_END \
  }                        \
  catch (...) {            \
  }

// Argument checks that may stand before S4SEG_API_BEGIN: the message must be a string literal
// ("" msg does not compile otherwise), so nothing is allocated outside the catch ladder. Checks
// whose message is computed go inside it, as s4seg::require.
#define S4SEG_CHECK_ARG(cond, msg) \
  do {                             \
    if (!(cond)) return ::s4seg::set_error(S4SEG_INVALID_ARGUMENT, "" msg); \
  } while (0)

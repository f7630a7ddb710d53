package s4seg

import (
	"errors"
	"fmt"
)

// Status is the code of a failed call; its values mirror the C enum s4seg_status and never change.
type Status int

// The status codes of the C API (s4seg_status).
const (
	StatusOK              Status = 0  // success; never carried by an *Error
	StatusInvalidArgument Status = 1  // a nil, size, range or key error
	StatusOutOfMemory     Status = 2  // a host or device allocation failed; the handle is still usable
	StatusIO              Status = 3  // a file is missing, unreadable or unwritable
	StatusFormat          Status = 4  // a file exists but is truncated, corrupt or of another kind
	StatusUnsupported     Status = 5  // a valid request this build cannot do
	StatusDevice          Status = 6  // the requested device is unavailable or failed
	StatusCancelled       Status = 7  // Trainer.Cancel stopped the call
	StatusDiverged        Status = 8  // the loss became NaN or Inf; the step was not applied
	StatusState           Status = 9  // the call is not valid now (a closed handle, training finished)
	StatusInternal        Status = 10 // a bug in s4seg; the message says where
	StatusBufferTooSmall  Status = 11 // a caller buffer is too small
)

var statusNames = [...]string{
	StatusOK:              "OK",
	StatusInvalidArgument: "INVALID_ARGUMENT",
	StatusOutOfMemory:     "OUT_OF_MEMORY",
	StatusIO:              "IO",
	StatusFormat:          "FORMAT",
	StatusUnsupported:     "UNSUPPORTED",
	StatusDevice:          "DEVICE",
	StatusCancelled:       "CANCELLED",
	StatusDiverged:        "DIVERGED",
	StatusState:           "STATE",
	StatusInternal:        "INTERNAL",
	StatusBufferTooSmall:  "BUFFER_TOO_SMALL",
}

// String returns the C name of the status without its prefix ("IO", "INVALID_ARGUMENT", ...), or
// "UNKNOWN(n)" for a value the C API does not define.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("UNKNOWN(%d)", int(s))
}

// Error is the error every fallible call returns: the C status code and the library's message.
type Error struct {
	Code    Status
	Message string
}

// Error formats the error as "s4seg: CODE: message".
func (e *Error) Error() string {
	if e.Message == "" {
		return "s4seg: " + e.Code.String()
	}
	return "s4seg: " + e.Code.String() + ": " + e.Message
}

// StatusOf returns the code of an *Error found in err's chain, StatusOK for a nil err, and
// StatusInternal for an error that did not come from s4seg.
func StatusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return StatusInternal
}

func errorf(code Status, format string, args ...interface{}) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

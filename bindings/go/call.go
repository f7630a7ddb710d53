package s4seg

import (
	"math"
	"runtime"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// call runs fn, which makes exactly one wrapped native call, and returns the outcome that call
// recorded. The wrappers record it in a C thread-local instead of returning it, so the goroutine
// is locked to its OS thread from the reset to the read.
func call(fn func()) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s4segswig.S4bReset()
	fn()
	if status := Status(s4segswig.S4bLastStatus()); status != StatusOK {
		return &Error{Code: status, Message: s4segswig.S4bLastMessage()}
	}
	return nil
}

// checkImageArgs rejects sizes that the C int32 parameters would silently truncate; the native
// side checks everything else (positive sizes, 1 or 3 channels, buffer lengths).
func checkImageArgs(width, height, channels int) error {
	return checkInt32("image of %dx%d with %d channels", width, height, channels)
}

// checkInt32 fails when one of values does not fit a C int32; what formats them for the message.
func checkInt32(what string, values ...int) error {
	for _, v := range values {
		if !fitsInt32(v) {
			args := make([]interface{}, len(values))
			for i, v := range values {
				args[i] = v
			}
			return errorf(StatusInvalidArgument, what+": sizes must fit in 32 bits", args...)
		}
	}
	return nil
}

func fitsInt32(v int) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// pixelCount returns width × height when imageLen bytes hold count valid images of that size.
// The allocating conveniences size their outputs only from valid input; otherwise they pass nil
// outputs and let the native check report what is wrong with the input.
func pixelCount(imageLen, count, width, height, channels int) (int, bool) {
	if count < 1 || width < 1 || height < 1 || !fitsInt32(width) || !fitsInt32(height) ||
		(channels != 1 && channels != 3) {
		return 0, false
	}
	pixels := width * height // below 2^62: int is 64-bit (swig -intgosize 64)
	perImage := imageLen / count
	if perImage*count != imageLen || perImage%channels != 0 || perImage/channels != pixels {
		return 0, false
	}
	return pixels, true
}

package s4seg

import "sync"

// handle owns one native object; ptr 0 means closed. Each native call holds the read lock for its
// whole duration, so Close waits for calls in flight (Trainer.Cancel still runs beside a
// Trainer.Step) and no call ever reaches freed memory.
type handle struct {
	mu   sync.RWMutex
	ptr  uintptr
	free func(uintptr) // the generated Delete… of the type
}

func (h *handle) init(ptr uintptr, free func(uintptr)) {
	h.ptr, h.free = ptr, free
}

// use makes one native call on the handle's pointer. A nil or closed handle passes 0, which the
// wrappers reject with StatusState ("this Model is closed").
func (h *handle) use(fn func(ptr uintptr)) error {
	if h == nil {
		return call(func() { fn(0) })
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	return call(func() { fn(h.ptr) })
}

// release frees the native object once; Close and the finalizer both end here.
func (h *handle) release() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr != 0 {
		h.free(h.ptr)
		h.ptr = 0
	}
}

// argument is a handle passed to a native call other than as its receiver.
type argument struct {
	name     string  // the parameter, for messages
	kind     string  // its type, for messages
	h        *handle // nil when the caller passed a nil pointer
	optional bool    // nil means "none" or "defaults"
}

// lockArguments read-locks the argument handles for the duration of one native call and returns
// their pointers (0 for an omitted optional one) and the function that unlocks them. A nil required
// argument is a StatusInvalidArgument error, a closed one a StatusState error: the native side
// would only see a null pointer, and a closed optional config must not silently mean "defaults".
func lockArguments(args ...argument) ([]uintptr, func(), error) {
	ptrs := make([]uintptr, len(args))
	var locked []*handle
	unlock := func() {
		for _, h := range locked {
			h.mu.RUnlock()
		}
	}
	for i, arg := range args {
		if arg.h == nil {
			if arg.optional {
				continue
			}
			unlock()
			return nil, nil, errorf(StatusInvalidArgument, "%s (a %s) is nil", arg.name, arg.kind)
		}
		if !containsHandle(locked, arg.h) { // the same handle twice would be read-locked twice
			arg.h.mu.RLock()
			locked = append(locked, arg.h)
		}
		if arg.h.ptr == 0 {
			unlock()
			return nil, nil, errorf(StatusState, "%s (a %s) is closed", arg.name, arg.kind)
		}
		ptrs[i] = arg.h.ptr
	}
	return ptrs, unlock, nil
}

func containsHandle(handles []*handle, h *handle) bool {
	for _, x := range handles {
		if x == h {
			return true
		}
	}
	return false
}

// create makes one native constructor call and wraps its result.
func create[T any](construct func() uintptr, wrap func(uintptr) *T) (*T, error) {
	var ptr uintptr
	if err := call(func() { ptr = construct() }); err != nil {
		return nil, err
	}
	if ptr == 0 {
		return nil, errorf(StatusInternal, "the native constructor returned null without an error")
	}
	return wrap(ptr), nil
}

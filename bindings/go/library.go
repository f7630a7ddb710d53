package s4seg

import "s4seg.dev/s4seg/internal/s4segswig"

// Version returns the library version, "MAJOR.MINOR.PATCH".
func Version() string { return s4segswig.S4bVersion() }

// BackendVersion returns the version of the LibTorch the library was built against.
func BackendVersion() string { return s4segswig.S4bBackendVersion() }

// DeviceInfo describes the compute devices: CPU threads, and either the CUDA devices or the reason
// CUDA is unavailable.
func DeviceInfo() (string, error) {
	var info string
	err := call(func() { info = s4segswig.S4bDeviceInfo() })
	return info, err
}

// CUDAAvailable reports whether at least one CUDA device can be used.
func CUDAAvailable() (bool, error) {
	var available int
	err := call(func() { available = s4segswig.S4bCudaAvailable() })
	return available != 0, err
}

// DeviceMemory returns the bytes of device memory in use now and the peak since the last
// ResetPeakMemory ("cpu", "cuda", "cuda:N"; "" = "auto"). On the CPU: the process's resident set.
func DeviceMemory(device string) (current, peak uint64, err error) {
	err = call(func() {
		current = s4segswig.S4bDeviceMemoryCurrent(device)
		peak = s4segswig.S4bDeviceMemoryPeak(device)
	})
	return current, peak, err
}

// ResetPeakMemory starts a new peak for DeviceMemory.
func ResetPeakMemory(device string) error {
	return call(func() { s4segswig.S4bDeviceResetPeakMemory(device) })
}

// ReleaseCachedMemory returns cached, unused GPU memory to the driver; without CUDA it does nothing.
func ReleaseCachedMemory() error {
	return call(func() { s4segswig.S4bReleaseCachedMemory() })
}

// MethodInfo is one training method of the library's registry: a train.method value.
type MethodInfo struct {
	Name          string // the train.method value, e.g. "fixmatch"
	Summary       string // one line saying what the method does
	UsesUnlabeled bool   // learns from unlabeled images (a trainer then needs an unlabeled dataset)
	SkipsOnDevice bool   // train.read_every above 1 is allowed
	DataParallel  bool   // may run with dist.world above 1
	MeanTeacher   bool   // an EMA teacher labels the unlabeled images (the model then holds the teacher)
}

// Methods lists the training methods in registry order, the built-in ones first.
func Methods() ([]MethodInfo, error) {
	var methods []MethodInfo
	err := call(func() {
		count := s4segswig.S4bMethodCount()
		for i := int64(0); i < count; i++ {
			flags := s4segswig.S4bMethodFlags(i)
			methods = append(methods, MethodInfo{
				Name: s4segswig.S4bMethodName(i), Summary: s4segswig.S4bMethodSummary(i),
				UsesUnlabeled: flags&1 != 0, SkipsOnDevice: flags&2 != 0, DataParallel: flags&4 != 0, MeanTeacher: flags&8 != 0,
			})
		}
	})
	return methods, err
}

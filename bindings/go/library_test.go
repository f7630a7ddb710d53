package s4seg_test

import (
	"fmt"
	"strings"
	"testing"

	"s4seg.dev/s4seg"
	"s4seg.dev/s4seg/internal/s4segswig"
)

func TestVersionMatchesTheHeader(t *testing.T) {
	want := fmt.Sprintf("%d.%d.%d", s4segswig.S4SEG_VERSION_MAJOR, s4segswig.S4SEG_VERSION_MINOR,
		s4segswig.S4SEG_VERSION_PATCH)
	if got := s4seg.Version(); got != want {
		t.Errorf("Version() = %q, the header says %q", got, want)
	}
	if s4seg.BackendVersion() == "" {
		t.Error("BackendVersion() is empty")
	}
}

func TestDevices(t *testing.T) {
	info, err := s4seg.DeviceInfo()
	must(t, err)
	if !strings.Contains(strings.ToLower(info), "cpu") {
		t.Errorf("DeviceInfo() does not describe the CPU: %q", info)
	}
	available, err := s4seg.CUDAAvailable()
	must(t, err)
	if !available && !strings.Contains(info, "cuda: support not compiled in: ") && !strings.Contains(info, "cuda: no usable device: ") {
		t.Errorf("without CUDA, DeviceInfo() should say why: %q", info)
	}
	must(t, s4seg.ReleaseCachedMemory())
}

func TestMethodsListTheRegistry(t *testing.T) {
	methods, err := s4seg.Methods()
	must(t, err)
	if len(methods) < 6 || methods[0].Name != "supervised" || methods[0].UsesUnlabeled || !methods[1].UsesUnlabeled {
		t.Fatalf("Methods() = %+v: want supervised first, then the semi-supervised ones", methods)
	}
	for _, m := range methods {
		if m.Summary == "" {
			t.Errorf("method %s has no summary", m.Name)
		}
		if m.Name == "rrn" && (m.SkipsOnDevice || m.MeanTeacher) {
			t.Errorf("rrn's flags: %+v", m)
		}
	}
}

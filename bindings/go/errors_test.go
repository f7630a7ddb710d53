package s4seg_test

import (
	"errors"
	"fmt"
	"testing"

	"s4seg.dev/s4seg"
	"s4seg.dev/s4seg/internal/s4segswig"
)

// The Go constants must keep the values and names of the C enum they mirror.
func TestStatusMirrorsTheCEnum(t *testing.T) {
	mirrors := []struct {
		status s4seg.Status
		c      s4segswig.Enum_SS_s4seg_status
	}{
		{s4seg.StatusOK, s4segswig.S4SEG_OK},
		{s4seg.StatusInvalidArgument, s4segswig.S4SEG_INVALID_ARGUMENT},
		{s4seg.StatusOutOfMemory, s4segswig.S4SEG_OUT_OF_MEMORY},
		{s4seg.StatusIO, s4segswig.S4SEG_IO},
		{s4seg.StatusFormat, s4segswig.S4SEG_FORMAT},
		{s4seg.StatusUnsupported, s4segswig.S4SEG_UNSUPPORTED},
		{s4seg.StatusDevice, s4segswig.S4SEG_DEVICE},
		{s4seg.StatusCancelled, s4segswig.S4SEG_CANCELLED},
		{s4seg.StatusDiverged, s4segswig.S4SEG_DIVERGED},
		{s4seg.StatusState, s4segswig.S4SEG_STATE},
		{s4seg.StatusInternal, s4segswig.S4SEG_INTERNAL},
		{s4seg.StatusBufferTooSmall, s4segswig.S4SEG_BUFFER_TOO_SMALL},
	}
	for _, m := range mirrors {
		if int(m.status) != int(m.c) {
			t.Errorf("%v = %d, C has %d", m.status, int(m.status), int(m.c))
		}
		if name := s4segswig.S4bStatusName(int(m.c)); m.status.String() != name {
			t.Errorf("status %d is named %q in Go, %q in C", int(m.c), m.status.String(), name)
		}
	}
	if got := s4seg.Status(99).String(); got != "UNKNOWN(99)" {
		t.Errorf("Status(99).String() = %q", got)
	}
}

func TestErrorCarriesCodeAndMessage(t *testing.T) {
	err := error(&s4seg.Error{Code: s4seg.StatusIO, Message: "cannot open x.png"})
	if got, want := err.Error(), "s4seg: IO: cannot open x.png"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("loading: %w", err)
	if got := s4seg.StatusOf(wrapped); got != s4seg.StatusIO {
		t.Errorf("StatusOf(wrapped) = %v, want IO", got)
	}
	if got := s4seg.StatusOf(nil); got != s4seg.StatusOK {
		t.Errorf("StatusOf(nil) = %v, want OK", got)
	}
	if got := s4seg.StatusOf(errors.New("elsewhere")); got != s4seg.StatusInternal {
		t.Errorf("StatusOf(foreign error) = %v, want INTERNAL", got)
	}
}

// The status is read on the OS thread of the failing call: errors of concurrent goroutines must
// never be swapped or lost.
func TestConcurrentCallsKeepTheirOwnErrors(t *testing.T) {
	cfg := newConfig(t)
	const goroutines, calls = 8, 200
	failures := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		go func(g int) {
			for i := 0; i < calls; i++ {
				if g%2 == 0 { // these succeed while the others fail
					if _, err := cfg.GetInt("model.num_classes"); err != nil {
						failures <- fmt.Errorf("a valid read failed: %w", err)
						return
					}
					continue
				}
				_, err := cfg.GetInt("no.such.key")
				if s4seg.StatusOf(err) != s4seg.StatusInvalidArgument {
					failures <- fmt.Errorf("an unknown key gave %v", err)
					return
				}
			}
			failures <- nil
		}(g)
	}
	for g := 0; g < goroutines; g++ {
		if err := <-failures; err != nil {
			t.Error(err)
		}
	}
}

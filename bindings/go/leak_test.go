package s4seg_test

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"s4seg.dev/s4seg"
)

// Native memory is invisible to the Go collector, so a leak shows only in the resident set size.
const rssToleranceKB = 20 * 1024

// residentKB returns VmRSS of this process, after a collection so that only live memory counts.
func residentKB(t *testing.T) int {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	status, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer status.Close()
	lines := bufio.NewScanner(status)
	for lines.Scan() {
		if fields := strings.Fields(lines.Text()); len(fields) >= 2 && fields[0] == "VmRSS:" {
			kb, err := strconv.Atoi(fields[1])
			must(t, err)
			return kb
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// createAndClose makes count tiny models, each predicting one image before Close (about 1 MB of
// native memory per model: a leak of 1000 models is some 1 GB).
func createAndClose(t *testing.T, cfg *s4seg.Config, image []byte, count int) {
	for i := 0; i < count; i++ {
		model, err := s4seg.NewModel(cfg)
		must(t, err)
		_, err = model.Predict(image, side, side, 3)
		must(t, err)
		must(t, model.Close())
	}
}

func TestCreateAndClose1000ModelsKeepsRSSFlat(t *testing.T) {
	cfg := newConfig(t)
	image := pattern(side, side, 3)
	createAndClose(t, cfg, image, 50) // warm-up: allocator pools, LibTorch caches
	before := residentKB(t)
	createAndClose(t, cfg, image, 1000)
	after := residentKB(t)
	t.Logf("VmRSS after 50 warm-up models %d kB, after 1000 more %d kB (%+d kB)", before, after, after-before)
	if after-before > rssToleranceKB {
		t.Errorf("resident size grew by %d kB over 1000 closed models (tolerance %d kB)", after-before, rssToleranceKB)
	}
}

// forget makes count tiny models and drops them without Close, collecting every few so that the
// finalizers, the safety net, release them.
func forget(t *testing.T, cfg *s4seg.Config, count int) {
	for i := 0; i < count; i++ {
		_, err := s4seg.NewModel(cfg)
		must(t, err)
		if i%10 == 9 {
			runtime.GC()
		}
	}
}

func TestFinalizersReleaseForgottenModels(t *testing.T) {
	cfg := newConfig(t)
	forget(t, cfg, 200) // warm-up, as above, with up to a few dozen models awaiting finalization
	before := residentKB(t)
	forget(t, cfg, 500)
	after := residentKB(t)
	t.Logf("VmRSS after 200 forgotten warm-up models %d kB, after 500 more %d kB (%+d kB)", before, after, after-before)
	// Without finalizers the 500 models would hold some 500 MB.
	if after-before > 3*rssToleranceKB {
		t.Errorf("resident size grew by %d kB over 500 forgotten models (tolerance %d kB)", after-before, 3*rssToleranceKB)
	}
}

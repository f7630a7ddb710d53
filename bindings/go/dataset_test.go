package s4seg_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s4seg.dev/s4seg"
)

// twoSampleList writes two 16 × 12 PNG images with masks (all class 2) and a list file naming them
// into a fresh folder; it returns the folder and the list file.
func twoSampleList(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	mask := make([]byte, 16*12)
	for i := range mask {
		mask[i] = 2
	}
	for _, name := range []string{"a", "b"} {
		image, err := s4seg.NewImage(pattern(16, 12, 3), 16, 12, 3)
		must(t, err)
		must(t, image.SavePNG(filepath.Join(dir, name+".png")))
		image.Close()
		must(t, s4seg.SavePNG(filepath.Join(dir, name+"_mask.png"), mask, 16, 12, 1))
	}
	list := filepath.Join(dir, "list.txt")
	must(t, os.WriteFile(list, []byte("a.png a_mask.png\nb.png b_mask.png\n"), 0o644))
	return dir, list
}

func TestCacheKeepsDecodedSamples(t *testing.T) {
	dir, list := twoSampleList(t)
	ds, err := s4seg.NewDataset()
	must(t, err)
	defer ds.Close()
	must(t, ds.AddList(dir, list))
	stats, err := ds.CacheStats()
	must(t, err)
	if stats != (s4seg.CacheStats{}) {
		t.Errorf("cache stats before any read: %+v, want all zero", stats)
	}

	must(t, ds.SetCache(1<<20))
	for round := 0; round < 2; round++ {
		for i := 0; i < 2; i++ {
			image, err := ds.Image(i)
			must(t, err)
			image.Close()
		}
	}
	stats, err = ds.CacheStats()
	must(t, err)
	want := s4seg.CacheStats{Bytes: 2 * (16*12*3 + 16*12), Hits: 2, Misses: 2}
	if stats != want {
		t.Errorf("cache stats after two rounds over two samples: %+v, want %+v", stats, want)
	}

	must(t, ds.SetCache(0))
	if stats, err = ds.CacheStats(); err != nil || stats.Bytes != 0 {
		t.Errorf("cache bytes after the cache is turned off: %d (%v), want 0", stats.Bytes, err)
	}
}

func TestLayoutsAddFolderSamples(t *testing.T) {
	dir, list := twoSampleList(t)
	ds, err := s4seg.NewDataset()
	must(t, err)
	defer ds.Close()
	must(t, ds.AddLayout(s4seg.LayoutList, dir, list, 0))
	if n, _ := ds.Len(); n != 2 {
		t.Fatalf("%d samples, want 2", n)
	}
	mask, err := ds.Mask(1)
	must(t, err)
	defer mask.Close()
	if data, _ := mask.Data(); len(data) != 16*12 || data[0] != 2 {
		t.Errorf("mask from the layout: %d bytes starting with %v", len(data), data[:1])
	}
	must(t, ds.AddLayout(s4seg.LayoutList, dir, list, s4seg.IgnoreMasks))
	if n, _ := ds.Len(); n != 4 {
		t.Fatalf("%d samples after the unlabeled copy, want 4", n)
	}
	if mask, err := ds.Mask(3); err != nil || mask != nil {
		t.Errorf("IgnoreMasks: mask %v (%v), want nil", mask, err)
	}

	err = ds.AddLayout(s4seg.Layout(7), dir, list, 0)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	if !strings.Contains(err.Error(), "unknown dataset layout 7") {
		t.Errorf("message of an unknown layout: %v", err)
	}
	wantStatus(t, ds.AddLayout(s4seg.Layout(1<<32+1), dir, list, 0), s4seg.StatusInvalidArgument)
	wantStatus(t, ds.AddLayout(s4seg.LayoutList, dir, list, 2), s4seg.StatusInvalidArgument)
	missing := filepath.Join(dir, "no-such-root")
	err = ds.AddLayout(s4seg.LayoutVOC, missing, "train", 0)
	wantStatus(t, err, s4seg.StatusIO)
	if !strings.Contains(err.Error(), "no-such-root") {
		t.Errorf("message of a missing root: %v", err)
	}
	wantStatus(t, ds.AddLayout(s4seg.LayoutCityscapes, missing, "train", s4seg.IgnoreMasks), s4seg.StatusIO)
	if n, _ := ds.Len(); n != 4 {
		t.Errorf("%d samples after the failed calls, want 4", n)
	}
}

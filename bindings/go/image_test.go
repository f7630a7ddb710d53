package s4seg_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"s4seg.dev/s4seg"
)

// pattern returns width × height × channels distinct-looking bytes.
func pattern(width, height, channels int) []byte {
	pixels := make([]byte, width*height*channels)
	for i := range pixels {
		pixels[i] = byte(i*7 + i/5)
	}
	return pixels
}

func TestImageRoundTrip(t *testing.T) {
	pixels := pattern(5, 4, 3)
	image, err := s4seg.NewImage(pixels, 5, 4, 3)
	must(t, err)
	defer image.Close()
	width, _ := image.Width()
	height, _ := image.Height()
	channels, err := image.Channels()
	must(t, err)
	if width != 5 || height != 4 || channels != 3 {
		t.Errorf("size %dx%dx%d, want 5x4x3", width, height, channels)
	}
	data, err := image.Data()
	must(t, err)
	if !bytes.Equal(data, pixels) {
		t.Errorf("Data() differs from the pixels the image was made of")
	}
	pixels[0]++ // the image holds a copy
	if data, _ := image.Data(); data[0] == pixels[0] {
		t.Errorf("the image shares memory with the caller's slice")
	}
}

func TestImageRejectsWrongSizes(t *testing.T) {
	_, err := s4seg.NewImage(make([]byte, 59), 5, 4, 3)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	_, err = s4seg.NewImage(make([]byte, 40), 5, 4, 2)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	_, err = s4seg.NewImage(nil, 5, 4, 3)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	// 2^32 + 5 would become 5 in a C int32.
	_, err = s4seg.NewImage(make([]byte, 60), 1<<32+5, 4, 3)
	wantStatus(t, err, s4seg.StatusInvalidArgument)

	image, err := s4seg.NewImage(pattern(5, 4, 1), 5, 4, 1)
	must(t, err)
	defer image.Close()
	wantStatus(t, image.DataInto(make([]byte, 19)), s4seg.StatusInvalidArgument)
	wantStatus(t, image.DataInto(nil), s4seg.StatusInvalidArgument)
}

func TestPNGRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rgb := pattern(6, 5, 3)
	rgbPath := filepath.Join(dir, "rgb.png")
	must(t, s4seg.SavePNG(rgbPath, rgb, 6, 5, 3))
	loaded, err := s4seg.LoadImage(rgbPath, s4seg.ImageRGB)
	must(t, err)
	defer loaded.Close()
	if data, err := loaded.Data(); err != nil || !bytes.Equal(data, rgb) {
		t.Errorf("RGB PNG round trip changed the pixels (%v)", err)
	}

	mask, err := s4seg.NewImage([]byte{0, 1, 2, 255, 1, 0}, 3, 2, 1)
	must(t, err)
	defer mask.Close()
	maskPath := filepath.Join(dir, "mask.png")
	must(t, mask.SavePNG(maskPath))
	indices, err := s4seg.LoadImage(maskPath, s4seg.ImageIndices)
	must(t, err)
	defer indices.Close()
	if data, err := indices.Data(); err != nil || !bytes.Equal(data, []byte{0, 1, 2, 255, 1, 0}) {
		t.Errorf("mask PNG round trip gave %v, %v", data, err)
	}
}

func TestLoadImageErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := s4seg.LoadImage(filepath.Join(dir, "missing.png"), s4seg.ImageAuto)
	wantStatus(t, err, s4seg.StatusIO)

	corrupt := filepath.Join(dir, "corrupt.png")
	must(t, os.WriteFile(corrupt, []byte("\x89PNG\r\n\x1a\nthis is not the rest of a PNG"), 0o644))
	_, err = s4seg.LoadImage(corrupt, s4seg.ImageAuto)
	wantStatus(t, err, s4seg.StatusFormat)
}

func TestDatasetSamples(t *testing.T) {
	ds, err := s4seg.NewDataset()
	must(t, err)
	defer ds.Close()
	image, mask := pattern(16, 16, 3), bytes.Repeat([]byte{0, 1, 2, 255}, 64)
	must(t, ds.Add(image, 16, 16, 3, mask))
	must(t, ds.Add(pattern(16, 16, 1), 16, 16, 1, nil)) // unlabeled
	must(t, ds.AddSynthetic(3, side, side, classes, 7))
	if n, err := ds.Len(); err != nil || n != 5 {
		t.Fatalf("Len = %d, %v; want 5", n, err)
	}

	got, err := ds.Image(0)
	must(t, err)
	defer got.Close()
	if data, _ := got.Data(); !bytes.Equal(data, image) {
		t.Errorf("sample 0 image differs from the one added")
	}
	gotMask, err := ds.Mask(0)
	must(t, err)
	defer gotMask.Close()
	if data, _ := gotMask.Data(); !bytes.Equal(data, mask) {
		t.Errorf("sample 0 mask differs from the one added")
	}
	if none, err := ds.Mask(1); none != nil || err != nil {
		t.Errorf("unlabeled sample: Mask = %v, %v; want nil, nil", none, err)
	}
	synthetic, err := ds.Mask(4)
	must(t, err)
	defer synthetic.Close()
	if data, _ := synthetic.Data(); len(data) != side*side || maxByte(data) >= classes {
		t.Errorf("synthetic mask has %d pixels up to %d; want %d below %d", len(data), maxByte(data), side*side, classes)
	}

	_, err = ds.Image(5)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
}

func TestDatasetRejectsBadInput(t *testing.T) {
	ds, err := s4seg.NewDataset()
	must(t, err)
	defer ds.Close()
	image := pattern(16, 16, 3)
	wantStatus(t, ds.Add(image, 16, 16, 3, make([]byte, 255)), s4seg.StatusInvalidArgument)
	wantStatus(t, ds.Add(image, 16, 15, 3, nil), s4seg.StatusInvalidArgument)
	wantStatus(t, ds.AddSynthetic(2, side, side, 1, 1), s4seg.StatusInvalidArgument)
	wantStatus(t, ds.AddList(t.TempDir(), "missing.txt"), s4seg.StatusIO)
	if n, _ := ds.Len(); n != 0 {
		t.Errorf("rejected samples were added: Len = %d", n)
	}
}

func TestDatasetFromListFile(t *testing.T) {
	dir := t.TempDir()
	must(t, s4seg.SavePNG(filepath.Join(dir, "a.png"), pattern(16, 16, 3), 16, 16, 3))
	must(t, s4seg.SavePNG(filepath.Join(dir, "a_mask.png"), make([]byte, 256), 16, 16, 1))
	must(t, s4seg.SavePNG(filepath.Join(dir, "b.png"), pattern(16, 16, 3), 16, 16, 3))
	list := filepath.Join(dir, "list.txt")
	must(t, os.WriteFile(list, []byte("# image mask\na.png a_mask.png\nb.png\n"), 0o644))

	ds, err := s4seg.NewDataset()
	must(t, err)
	defer ds.Close()
	must(t, ds.AddList(dir, list))
	if n, err := ds.Len(); err != nil || n != 2 {
		t.Errorf("Len = %d, %v; want 2", n, err)
	}
}

func maxByte(data []byte) byte {
	var max byte
	for _, b := range data {
		if b > max {
			max = b
		}
	}
	return max
}

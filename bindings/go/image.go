package s4seg

import (
	"runtime"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// ImageMode says how LoadImage converts pixels.
type ImageMode int

// The image modes of LoadImage (s4seg_image_mode).
const (
	ImageRGB     ImageMode = 0 // 3 channels; grey and palette images are expanded
	ImageGrey    ImageMode = 1 // 1 channel of luminance
	ImageIndices ImageMode = 2 // 1 channel of raw values: palette PNGs give their indices (masks)
	ImageAuto    ImageMode = 3 // 1 channel for grey files, 3 for colour
)

// Image is an 8-bit image (1 or 3 channels) owned by the library.
// Thread safety: immutable; may be read from several goroutines at once.
type Image struct{ h handle }

// NewImage copies width × height × channels bytes (1 or 3 channels, rows without padding).
func NewImage(pixels []byte, width, height, channels int) (*Image, error) {
	if err := checkImageArgs(width, height, channels); err != nil {
		return nil, err
	}
	return create(func() uintptr { return s4segswig.NewImage(pixels, width, height, channels).Swigcptr() }, wrapImage)
}

// LoadImage decodes a PNG or JPEG file. A missing or unreadable file is a StatusIO error; a
// corrupt one, or not an image, StatusFormat.
func LoadImage(path string, mode ImageMode) (*Image, error) {
	return create(func() uintptr { return s4segswig.ImageLoad(path, int(mode)).Swigcptr() }, wrapImage)
}

func wrapImage(ptr uintptr) *Image {
	i := &Image{}
	i.h.init(ptr, func(p uintptr) { s4segswig.DeleteImage(s4segswig.SwigcptrImage(p)) })
	runtime.SetFinalizer(i, func(i *Image) { i.h.release() })
	return i
}

func (i *Image) ref() *handle {
	if i == nil {
		return nil
	}
	return &i.h
}

func (i *Image) use(fn func(s4segswig.SwigcptrImage)) error {
	return i.ref().use(func(p uintptr) { fn(s4segswig.SwigcptrImage(p)) })
}

// Close releases the native image. Further calls do nothing; other methods then fail with
// StatusState.
func (i *Image) Close() error {
	if i != nil {
		runtime.SetFinalizer(i, nil)
		i.h.release()
	}
	return nil
}

// Width returns the width in pixels.
func (i *Image) Width() (int, error) {
	var width int
	err := i.use(func(p s4segswig.SwigcptrImage) { width = p.Width() })
	return width, err
}

// Height returns the height in pixels.
func (i *Image) Height() (int, error) {
	var height int
	err := i.use(func(p s4segswig.SwigcptrImage) { height = p.Height() })
	return height, err
}

// Channels returns 1 (grey or class indices) or 3 (RGB).
func (i *Image) Channels() (int, error) {
	var channels int
	err := i.use(func(p s4segswig.SwigcptrImage) { channels = p.Channels() })
	return channels, err
}

// Data returns a copy of the pixels: width × height × channels bytes, rows without padding.
func (i *Image) Data() ([]byte, error) {
	width, err := i.Width()
	if err != nil {
		return nil, err
	}
	height, err := i.Height()
	if err != nil {
		return nil, err
	}
	channels, err := i.Channels()
	if err != nil {
		return nil, err
	}
	pixels := make([]byte, width*height*channels)
	return pixels, i.DataInto(pixels)
}

// DataInto copies the pixels into a buffer of exactly width × height × channels bytes.
func (i *Image) DataInto(pixels []byte) error {
	return i.use(func(p s4segswig.SwigcptrImage) { p.PixelsInto(pixels) })
}

// SavePNG writes the image as an 8-bit PNG, atomically.
func (i *Image) SavePNG(path string) error {
	return i.use(func(p s4segswig.SwigcptrImage) { p.SavePng(path) })
}

// SavePNG writes width × height × channels bytes (1 or 3 channels) as an 8-bit PNG, atomically.
func SavePNG(path string, pixels []byte, width, height, channels int) error {
	if err := checkImageArgs(width, height, channels); err != nil {
		return err
	}
	return call(func() { s4segswig.S4bSavePng(path, pixels, width, height, channels) })
}

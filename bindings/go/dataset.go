package s4seg

import (
	"runtime"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// Dataset is an ordered list of samples: an image and, for labeled samples, its mask of class
// indices (255 = ignore). In-memory samples are copied when added; list-file and benchmark-folder
// samples are decoded when used (SetCache keeps decoded samples in memory). Trainers keep the
// datasets they use alive, so a dataset may be closed after use.
// Thread safety: adding needs exclusive access; a dataset no longer added to may be shared.
type Dataset struct{ h handle }

// Layout is a benchmark folder layout that AddLayout reads as published (docs/datasets.md shows
// the folder trees).
type Layout int

// The layouts of AddLayout (s4seg_layout).
const (
	LayoutList       Layout = 0 // "IMAGE [MASK]" list lines, masks used as stored (as AddList)
	LayoutVOC        Layout = 1 // PASCAL VOC 2012 (+SBD masks): JPEGImages/, SegmentationClass[Aug]/, ImageSets/Segmentation/
	LayoutCityscapes Layout = 2 // Cityscapes: leftImg8bit/ and gtFine/, label ids mapped to the 19 train ids
)

// DatasetFlags are the options of AddLayout (S4SEG_DATASET_*); combine them with |.
type DatasetFlags uint32

// The flags of AddLayout.
const (
	// IgnoreMasks: the masks a split names are neither checked nor read, and the samples have none
	// (the unlabeled splits of the UniMatch-family codebases name masks that may not exist).
	IgnoreMasks DatasetFlags = 1
)

// CacheStats are the figures of a dataset's decoded-sample cache since the dataset was created.
type CacheStats struct {
	Bytes  uint64 // pixel bytes (image + mask) held now; never above the SetCache limit
	Hits   uint64 // reads served from memory
	Misses uint64 // file-backed reads decoded from disk (counted while the cache is off too)
}

// NewDataset creates an empty dataset.
func NewDataset() (*Dataset, error) {
	return create(func() uintptr { return s4segswig.NewDataset().Swigcptr() }, wrapDataset)
}

func wrapDataset(ptr uintptr) *Dataset {
	d := &Dataset{}
	d.h.init(ptr, func(p uintptr) { s4segswig.DeleteDataset(s4segswig.SwigcptrDataset(p)) })
	runtime.SetFinalizer(d, func(d *Dataset) { d.h.release() })
	return d
}

func (d *Dataset) ref() *handle {
	if d == nil {
		return nil
	}
	return &d.h
}

func (d *Dataset) use(fn func(s4segswig.SwigcptrDataset)) error {
	return d.ref().use(func(p uintptr) { fn(s4segswig.SwigcptrDataset(p)) })
}

// Close releases this handle; trainers using the dataset keep their own reference. Further calls
// do nothing; other methods then fail with StatusState.
func (d *Dataset) Close() error {
	if d != nil {
		runtime.SetFinalizer(d, nil)
		d.h.release()
	}
	return nil
}

// Add copies one sample: an image of width × height × channels bytes (1 or 3 channels) and, for a
// labeled sample, its mask of width × height class indices (255 = ignore). A nil mask adds an
// unlabeled sample; a mask of any other length is a StatusInvalidArgument error.
func (d *Dataset) Add(image []byte, width, height, channels int, mask []byte) error {
	if err := checkImageArgs(width, height, channels); err != nil {
		return err
	}
	return d.use(func(p s4segswig.SwigcptrDataset) { p.Add(image, width, height, channels, mask) })
}

// AddList adds the samples of a list file: one "IMAGE [MASK]" per line, paths relative to root.
// It is all-or-nothing: on an error, whose message names the line, the dataset is unchanged.
func (d *Dataset) AddList(root, listPath string) error {
	return d.use(func(p s4segswig.SwigcptrDataset) { p.AddList(root, listPath) })
}

// AddLayout adds the samples of a benchmark folder as published. root is the folder holding
// JPEGImages/ (VOC) or leftImg8bit/ and gtFine/ (Cityscapes); split is a split name ("train",
// "val", ...) or the path of a split file (for LayoutList, the list file); flags is 0 or
// IgnoreMasks. It is all-or-nothing. An unknown layout or flag is a StatusInvalidArgument error; a
// missing root, split file or split folder StatusIO; a split line of three fields StatusFormat.
func (d *Dataset) AddLayout(layout Layout, root, split string, flags DatasetFlags) error {
	if !fitsInt32(int(layout)) {
		return errorf(StatusInvalidArgument, "unknown dataset layout %d", int(layout))
	}
	return d.use(func(p s4segswig.SwigcptrDataset) { p.AddLayout(int(layout), root, split, uint(flags)) })
}

// SetCache keeps up to bytes of decoded file-backed samples (image + mask pixels) in memory for
// reuse, least recently used evicted first; 0, the default, keeps none. Safe while trainers read
// the dataset.
func (d *Dataset) SetCache(bytes uint64) error {
	return d.use(func(p s4segswig.SwigcptrDataset) { p.SetCache(bytes) })
}

// CacheStats returns the figures of the decoded-sample cache since the dataset was created.
func (d *Dataset) CacheStats() (CacheStats, error) {
	figures := make([]uint64, 3)
	if err := d.use(func(p s4segswig.SwigcptrDataset) { p.CacheStatsInto(figures) }); err != nil {
		return CacheStats{}, err
	}
	return CacheStats{Bytes: figures[0], Hits: figures[1], Misses: figures[2]}, nil
}

// AddSynthetic appends count generated samples of width × height RGB pixels (textured shapes, one
// class per kind of shape, class 0 the background, every pixel labeled), deterministic in seed.
// count in 1..1000000, width and height in 16..4096, numClasses in 2..32.
func (d *Dataset) AddSynthetic(count, width, height, numClasses int, seed uint64) error {
	if err := checkInt32("synthetic images of %dx%d with %d classes", width, height, numClasses); err != nil {
		return err
	}
	return d.use(func(p s4segswig.SwigcptrDataset) {
		p.AddSynthetic(int64(count), width, height, numClasses, seed)
	})
}

// Len returns the number of samples.
func (d *Dataset) Len() (int, error) {
	var size int64
	err := d.use(func(p s4segswig.SwigcptrDataset) { size = p.Size() })
	return int(size), err
}

// Image returns a copy of sample index's image.
func (d *Dataset) Image(index int) (*Image, error) {
	var ptr uintptr
	if err := d.use(func(p s4segswig.SwigcptrDataset) { ptr = p.GetImage(int64(index)).Swigcptr() }); err != nil {
		return nil, err
	}
	return wrapImage(ptr), nil
}

// Mask returns a copy of sample index's mask, or nil (and no error) for an unlabeled sample.
func (d *Dataset) Mask(index int) (*Image, error) {
	var ptr uintptr
	if err := d.use(func(p s4segswig.SwigcptrDataset) { ptr = p.GetMask(int64(index)).Swigcptr() }); err != nil {
		return nil, err
	}
	if ptr == 0 {
		return nil, nil
	}
	return wrapImage(ptr), nil
}

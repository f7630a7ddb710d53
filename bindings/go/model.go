package s4seg

import (
	"runtime"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// Model is a segmentation network (DeepLabV3+ on a ResNet) and the config that built it. A trainer
// or labeler keeps its model alive, so the model may be closed before them.
// Thread safety: Predict and Evaluate calls are serialised inside the library; do not use a model
// while its trainer is inside Step.
type Model struct{ h handle }

// Evaluation holds the scores of Model.Evaluate.
type Evaluation struct {
	MIoU          float64   // mean IoU over the classes present in ground truth or prediction
	PixelAccuracy float64   // correct / labeled pixels
	ClassIoU      []float64 // per class; NaN for a class absent from both
}

// NewModel builds a freshly initialised model from the model.* keys and device of cfg; a nil cfg
// means the defaults. An unavailable device is a StatusDevice error.
func NewModel(cfg *Config) (*Model, error) {
	ptrs, unlock, err := lockArguments(argument{name: "cfg", kind: "Config", h: cfg.ref(), optional: true})
	if err != nil {
		return nil, err
	}
	defer unlock()
	return create(func() uintptr {
		return s4segswig.NewModel(s4segswig.SwigcptrConfig(ptrs[0])).Swigcptr()
	}, wrapModel)
}

// LoadModel loads a model file or a trainer checkpoint onto device ("cpu", "cuda:0", ...; "" or
// "auto" picks CUDA when available). A missing file is a StatusIO error; a truncated, corrupt or
// foreign one StatusFormat.
func LoadModel(path, device string) (*Model, error) {
	if device == "" {
		device = "auto"
	}
	return create(func() uintptr { return s4segswig.ModelLoad(path, device).Swigcptr() }, wrapModel)
}

func wrapModel(ptr uintptr) *Model {
	m := &Model{}
	m.h.init(ptr, func(p uintptr) { s4segswig.DeleteModel(s4segswig.SwigcptrModel(p)) })
	runtime.SetFinalizer(m, func(m *Model) { m.h.release() })
	return m
}

func (m *Model) ref() *handle {
	if m == nil {
		return nil
	}
	return &m.h
}

func (m *Model) use(fn func(s4segswig.SwigcptrModel)) error {
	return m.ref().use(func(p uintptr) { fn(s4segswig.SwigcptrModel(p)) })
}

// Close releases this handle; trainers and labelers using the model keep their own reference.
// Further calls do nothing; other methods then fail with StatusState.
func (m *Model) Close() error {
	if m != nil {
		runtime.SetFinalizer(m, nil)
		m.h.release()
	}
	return nil
}

// Save writes the weights and config to path, atomically.
func (m *Model) Save(path string) error {
	return m.use(func(p s4segswig.SwigcptrModel) { p.Save(path) })
}

// NumClasses returns the number of classes the model predicts.
func (m *Model) NumClasses() (int, error) {
	var classes int
	err := m.use(func(p s4segswig.SwigcptrModel) { classes = p.NumClasses() })
	return classes, err
}

// Config returns a copy of the config the model was built with.
func (m *Model) Config() (*Config, error) {
	var ptr uintptr
	if err := m.use(func(p s4segswig.SwigcptrModel) { ptr = p.GetConfig().Swigcptr() }); err != nil {
		return nil, err
	}
	return wrapConfig(ptr), nil
}

// Device returns the device the model runs on ("cpu", "cuda:0", ...).
func (m *Model) Device() (string, error) {
	var device string
	err := m.use(func(p s4segswig.SwigcptrModel) { device = p.Device() })
	return device, err
}

// LoadBackbone loads pretrained encoder weights into the model: a torchvision state dict (a
// torch.save file) or a safetensors file, chosen by content. It is strict: a missing, unexpected
// or mis-shaped tensor is a StatusFormat error naming them, and the model is unchanged; a missing
// file is StatusIO. Load before creating a trainer (its student copies the weights at creation).
func (m *Model) LoadBackbone(path string) error {
	return m.use(func(p s4segswig.SwigcptrModel) { p.LoadBackbone(path) })
}

// LoadBackbonePartial is LoadBackbone that loads the tensors that fit and leaves the others as they
// are; BackboneReport says which. A file of which nothing fits is still a StatusFormat error.
func (m *Model) LoadBackbonePartial(path string) error {
	return m.use(func(p s4segswig.SwigcptrModel) { p.LoadBackbonePartial(path) })
}

// BackboneReport returns a sentence on the latest encoder load of this model ("loaded N encoder
// tensors from ...", with the missing, unexpected or mis-shaped names), or "" when none happened.
func (m *Model) BackboneReport() (string, error) {
	var report string
	err := m.use(func(p s4segswig.SwigcptrModel) { report = p.BackboneReport() })
	return report, err
}

// Flops returns the FLOPs of one forward pass on a width x height image (convolutions and
// matrix products, 2 per multiply-add).
func (m *Model) Flops(width, height int) (float64, error) {
	if !fitsInt32(width) || !fitsInt32(height) {
		return 0, errorf(StatusInvalidArgument, "image size %dx%d out of range", width, height)
	}
	var flops float64
	err := m.use(func(p s4segswig.SwigcptrModel) { flops = p.Flops(width, height) })
	return flops, err
}

// SetCudaGraphs turns CUDA-graph inference (the model.cuda_graphs key) on or off: on a CUDA
// device, predictions capture the forward once per input shape and replay it as one launch.
// Off frees the captured graphs. No effect on a CPU model.
func (m *Model) SetCudaGraphs(enabled bool) error {
	return m.use(func(p s4segswig.SwigcptrModel) { p.SetCudaGraphs(enabled) })
}

// SaveBackbone writes the encoder's weights to path as a safetensors file with torchvision names,
// which LoadBackbone reads; atomically.
func (m *Model) SaveBackbone(path string) error {
	return m.use(func(p s4segswig.SwigcptrModel) { p.SaveBackbone(path) })
}

// ClassName returns the name of class index (0 to NumClasses-1), from model.class_names.
func (m *Model) ClassName(index int) (string, error) {
	if !fitsInt32(index) {
		return "", errorf(StatusInvalidArgument, "class index %d out of range", index)
	}
	var name string
	err := m.use(func(p s4segswig.SwigcptrModel) { name = p.ClassName(index) })
	return name, err
}

// ClassNames returns the name of every class, in class order.
func (m *Model) ClassNames() ([]string, error) {
	classes, err := m.NumClasses()
	if err != nil {
		return nil, err
	}
	names := make([]string, classes)
	for i := range names {
		if names[i], err = m.ClassName(i); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// Palette returns the display colour of each class, from model.palette: 3 bytes (R, G, B) per
// class.
func (m *Model) Palette() ([]byte, error) {
	classes, err := m.NumClasses()
	if err != nil {
		return nil, err
	}
	palette := make([]byte, 3*classes)
	if err := m.PaletteInto(palette); err != nil {
		return nil, err
	}
	return palette, nil
}

// PaletteInto copies the class colours into a buffer of exactly 3 × NumClasses bytes.
func (m *Model) PaletteInto(palette []byte) error {
	return m.use(func(p s4segswig.SwigcptrModel) { p.PaletteInto(palette) })
}

// Predict segments one image of width × height × channels bytes (1 or 3 channels, at least 8x8)
// and returns width × height class indices, row-major.
func (m *Model) Predict(image []byte, width, height, channels int) ([]byte, error) {
	var labels []byte
	if pixels, ok := pixelCount(len(image), 1, width, height, channels); ok {
		labels = make([]byte, pixels)
	}
	if err := m.PredictInto(image, width, height, channels, labels, nil); err != nil {
		return nil, err
	}
	return labels, nil
}

// PredictWithConfidence is Predict that also returns each pixel's top-class probability.
func (m *Model) PredictWithConfidence(image []byte, width, height, channels int) ([]byte, []float32, error) {
	var labels []byte
	var confidence []float32
	if pixels, ok := pixelCount(len(image), 1, width, height, channels); ok {
		labels, confidence = make([]byte, pixels), make([]float32, pixels)
	}
	if err := m.PredictInto(image, width, height, channels, labels, confidence); err != nil {
		return nil, nil, err
	}
	return labels, confidence, nil
}

// PredictInto writes the class indices of one image into labels (width × height bytes) and, when
// confidence is not nil, the top-class probabilities into confidence (width × height values).
func (m *Model) PredictInto(image []byte, width, height, channels int, labels []byte, confidence []float32) error {
	if err := checkImageArgs(width, height, channels); err != nil {
		return err
	}
	return m.use(func(p s4segswig.SwigcptrModel) {
		p.PredictInto(image, width, height, channels, labels, confidence)
	})
}

// PredictBatch segments count images of one size, stored back to back in images, and returns
// their class indices back to back (count × width × height bytes).
func (m *Model) PredictBatch(images []byte, count, width, height, channels int) ([]byte, error) {
	var labels []byte
	if pixels, ok := pixelCount(len(images), count, width, height, channels); ok {
		labels = make([]byte, count*pixels)
	}
	if err := m.PredictBatchInto(images, count, width, height, channels, labels, nil); err != nil {
		return nil, err
	}
	return labels, nil
}

// PredictBatchInto is PredictInto for count images of one size stored back to back; labels (and
// confidence, when not nil) hold count × width × height values.
func (m *Model) PredictBatchInto(images []byte, count, width, height, channels int, labels []byte,
	confidence []float32) error {
	if err := checkImageArgs(width, height, channels); err != nil {
		return err
	}
	return m.use(func(p s4segswig.SwigcptrModel) {
		p.PredictBatchInto(images, int64(count), width, height, channels, labels, confidence)
	})
}

// Evaluate scores the model on every labeled sample of dataset (pixels labeled 255 are ignored).
// A dataset without masks is a StatusInvalidArgument error.
func (m *Model) Evaluate(dataset *Dataset) (Evaluation, error) {
	classes, err := m.NumClasses()
	if err != nil {
		return Evaluation{}, err
	}
	ptrs, unlock, err := lockArguments(argument{name: "dataset", kind: "Dataset", h: dataset.ref()})
	if err != nil {
		return Evaluation{}, err
	}
	defer unlock()
	scores := make([]float64, 2+classes)
	err = m.use(func(p s4segswig.SwigcptrModel) { p.EvaluateInto(s4segswig.SwigcptrDataset(ptrs[0]), scores) })
	if err != nil {
		return Evaluation{}, err
	}
	return Evaluation{MIoU: scores[0], PixelAccuracy: scores[1], ClassIoU: scores[2:]}, nil
}

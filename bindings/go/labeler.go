package s4seg

import (
	"runtime"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// Labeler turns a trained model (the teacher) into filtered pseudo-labels, with the pseudo.* keys
// of a config (pseudo.filter: threshold, class_adaptive, entropy, soft, discriminator, none). It
// keeps its model alive, so the model may be closed before it.
// Thread safety: one goroutine at a time.
type Labeler struct {
	h          handle
	numClasses int // of its model, read at creation: the model handle may be closed since
}

// LabelResult is one image's pseudo-labels.
type LabelResult struct {
	Labels     []byte   // width × height class indices, 255 where the filter dropped the pixel
	Confidence []byte   // width × height round(255 × top-class probability)
	Predicted  []uint64 // per class, the pixels the teacher predicted
	Kept       []uint64 // per class, the pixels the filter kept
}

// NewLabeler creates a labeler for model with the pseudo.* keys of cfg (nil means the defaults).
func NewLabeler(model *Model, cfg *Config) (*Labeler, error) {
	ptrs, unlock, err := lockArguments(
		argument{name: "model", kind: "Model", h: model.ref()},
		argument{name: "cfg", kind: "Config", h: cfg.ref(), optional: true})
	if err != nil {
		return nil, err
	}
	defer unlock()
	var classes int
	if err := call(func() { classes = s4segswig.SwigcptrModel(ptrs[0]).NumClasses() }); err != nil {
		return nil, err
	}
	return create(func() uintptr {
		return s4segswig.NewLabeler(s4segswig.SwigcptrModel(ptrs[0]), s4segswig.SwigcptrConfig(ptrs[1])).Swigcptr()
	}, func(ptr uintptr) *Labeler { return wrapLabeler(ptr, classes) })
}

func wrapLabeler(ptr uintptr, numClasses int) *Labeler {
	l := &Labeler{numClasses: numClasses}
	l.h.init(ptr, func(p uintptr) { s4segswig.DeleteLabeler(s4segswig.SwigcptrLabeler(p)) })
	runtime.SetFinalizer(l, func(l *Labeler) { l.h.release() })
	return l
}

func (l *Labeler) ref() *handle {
	if l == nil {
		return nil
	}
	return &l.h
}

func (l *Labeler) use(fn func(s4segswig.SwigcptrLabeler)) error {
	return l.ref().use(func(p uintptr) { fn(s4segswig.SwigcptrLabeler(p)) })
}

// Close releases the labeler (and its reference to the model). Further calls do nothing; other
// methods then fail with StatusState.
func (l *Labeler) Close() error {
	if l != nil {
		runtime.SetFinalizer(l, nil)
		l.h.release()
	}
	return nil
}

// Label pseudo-labels one image of width × height × channels bytes (1 or 3 channels).
func (l *Labeler) Label(image []byte, width, height, channels int) (LabelResult, error) {
	var result LabelResult
	if pixels, ok := pixelCount(len(image), 1, width, height, channels); ok && l != nil {
		result = LabelResult{
			Labels:     make([]byte, pixels),
			Confidence: make([]byte, pixels),
			Predicted:  make([]uint64, l.numClasses),
			Kept:       make([]uint64, l.numClasses),
		}
	}
	err := l.LabelInto(image, width, height, channels, result.Labels, result.Confidence, result.Predicted, result.Kept)
	if err != nil {
		return LabelResult{}, err
	}
	return result, nil
}

// LabelInto writes one image's pseudo-labels into labels (width × height bytes) and, each when not
// nil, the confidence bytes (width × height) and the per-class predicted and kept pixel counts
// (at least the model's number of classes, and of equal length).
func (l *Labeler) LabelInto(image []byte, width, height, channels int, labels, confidence []byte,
	predicted, kept []uint64) error {
	if err := checkImageArgs(width, height, channels); err != nil {
		return err
	}
	return l.use(func(p s4segswig.SwigcptrLabeler) {
		p.RunInto(image, width, height, channels, labels, confidence, predicted, kept)
	})
}

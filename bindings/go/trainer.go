package s4seg

import (
	"math"
	"runtime"
	"time"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// Trainer trains a model in place on a labeled dataset and, for the semi-supervised methods
// (train.method fixmatch, pcr, css, rrn, rc2l), an unlabeled one. It keeps its model and datasets
// alive on the native side, so those handles may be closed, or collected, before the trainer.
// Thread safety: one goroutine at a time, except Cancel, which any goroutine may call at any time.
type Trainer struct{ h handle }

// TrainStats are the figures of one Step call.
type TrainStats struct {
	Iteration       int           // iterations completed in total
	TotalIterations int           // train.iters
	Loss            float64       // mean total loss over the call
	LearningRate    float64       // base learning rate of the last iteration
	Elapsed         time.Duration // wall time of the call
	ImagesPerSecond float64       // labeled images processed per second
	ETA             time.Duration // estimated time to TotalIterations at the current pace; 0 if unknown
	PseudoKeepRatio float64       // share of unlabeled pixels the pseudo-label filter kept; -1 if none
	PseudoAccuracy  float64       // share of kept pseudo-labels matching the unlabeled masks; -1 if unmeasured
}

// The layout of Trainer.step_into's stats (see bindings/s4seg.i).
const trainStatsLen = 9

// NewTrainer creates a trainer for model on labeled (every sample needs a mask) with the train.*
// keys of cfg (nil means the defaults). unlabeled may be nil; the semi-supervised methods need it.
func NewTrainer(model *Model, labeled, unlabeled *Dataset, cfg *Config) (*Trainer, error) {
	ptrs, unlock, err := lockArguments(
		argument{name: "model", kind: "Model", h: model.ref()},
		argument{name: "labeled", kind: "Dataset", h: labeled.ref()},
		argument{name: "unlabeled", kind: "Dataset", h: unlabeled.ref(), optional: true},
		argument{name: "cfg", kind: "Config", h: cfg.ref(), optional: true})
	if err != nil {
		return nil, err
	}
	defer unlock()
	return create(func() uintptr {
		return s4segswig.NewTrainer(s4segswig.SwigcptrModel(ptrs[0]), s4segswig.SwigcptrDataset(ptrs[1]),
			s4segswig.SwigcptrDataset(ptrs[2]), s4segswig.SwigcptrConfig(ptrs[3])).Swigcptr()
	}, wrapTrainer)
}

func wrapTrainer(ptr uintptr) *Trainer {
	t := &Trainer{}
	t.h.init(ptr, func(p uintptr) { s4segswig.DeleteTrainer(s4segswig.SwigcptrTrainer(p)) })
	runtime.SetFinalizer(t, func(t *Trainer) { t.h.release() })
	return t
}

func (t *Trainer) ref() *handle {
	if t == nil {
		return nil
	}
	return &t.h
}

func (t *Trainer) use(fn func(s4segswig.SwigcptrTrainer)) error {
	return t.ref().use(func(p uintptr) { fn(s4segswig.SwigcptrTrainer(p)) })
}

// Close releases the trainer (and its references to the model and datasets). It waits for a Step
// in progress; call Cancel first to stop it early. Further calls do nothing; other methods then
// fail with StatusState.
func (t *Trainer) Close() error {
	if t != nil {
		runtime.SetFinalizer(t, nil)
		t.h.release()
	}
	return nil
}

// Step runs up to iterations (at least 1) training iterations, stopping at train.iters, and
// returns the figures of this call. Once train.iters is reached it fails with StatusState; after
// Cancel with StatusCancelled (completed iterations are kept); on a NaN or Inf loss with
// StatusDiverged (that iteration's update is not applied).
func (t *Trainer) Step(iterations int) (TrainStats, error) {
	stats := make([]float64, trainStatsLen)
	if err := t.use(func(p s4segswig.SwigcptrTrainer) { p.StepInto(int64(iterations), stats) }); err != nil {
		return TrainStats{}, err
	}
	return TrainStats{
		Iteration:       int(stats[0]),
		TotalIterations: int(stats[1]),
		Loss:            stats[2],
		LearningRate:    stats[3],
		Elapsed:         seconds(stats[4]),
		ImagesPerSecond: stats[5],
		ETA:             seconds(stats[6]),
		PseudoKeepRatio: stats[7],
		PseudoAccuracy:  stats[8],
	}, nil
}

// seconds converts the C figures; one that is not finite (an ETA not yet known) becomes 0.
func seconds(s float64) time.Duration {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// Cancel asks a running (or the next) Step to stop after its current iteration. Safe to call from
// any goroutine while Step runs.
func (t *Trainer) Cancel() error {
	return t.use(func(p s4segswig.SwigcptrTrainer) { p.Cancel() })
}

// Iteration returns the number of iterations completed so far.
func (t *Trainer) Iteration() (int, error) {
	var iteration int64
	err := t.use(func(p s4segswig.SwigcptrTrainer) { iteration = p.Iteration() })
	return int(iteration), err
}

// Metrics returns the named figures of the last Step call: each loss term ("loss/supervised",
// "loss/unsupervised", ...) and the method's metrics ("pseudo/keep_ratio", ...).
func (t *Trainer) Metrics() (map[string]float64, error) {
	var count int64
	if err := t.use(func(p s4segswig.SwigcptrTrainer) { count = p.MetricCount() }); err != nil {
		return nil, err
	}
	metrics := make(map[string]float64, count)
	for i := int64(0); i < count; i++ {
		var name string
		var value float64
		if err := t.use(func(p s4segswig.SwigcptrTrainer) { name = p.MetricName(i) }); err != nil {
			return nil, err
		}
		if err := t.use(func(p s4segswig.SwigcptrTrainer) { value = p.MetricValue(i) }); err != nil {
			return nil, err
		}
		metrics[name] = value
	}
	return metrics, nil
}

// SaveCheckpoint writes the weights, config, optimizer state, iteration and sampling state to path,
// atomically. LoadModel also accepts a checkpoint.
func (t *Trainer) SaveCheckpoint(path string) error {
	return t.use(func(p s4segswig.SwigcptrTrainer) { p.SaveCheckpoint(path) })
}

// Resume restores a checkpoint into this trainer, whose model must have the same architecture;
// training then continues exactly where the checkpoint left off. On an error the trainer is
// unchanged.
func (t *Trainer) Resume(path string) error {
	return t.use(func(p s4segswig.SwigcptrTrainer) { p.Resume(path) })
}

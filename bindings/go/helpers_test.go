package s4seg_test

import (
	"errors"
	"testing"

	"s4seg.dev/s4seg"
)

// The tiny model and training run of the C tests: fast on one CPU core.
const tinyConfig = `
device = cpu
model.backbone = resnet18
model.width = 8
model.output_stride = 16
model.aspp_channels = 16
model.low_level_channels = 8
model.num_classes = 3
train.iters = 4
train.batch_size = 2
train.crop_size = 32
train.seed = 1
train.threads = 1
train.workers = 0
train.log_every = 1
train.method = supervised
`

const (
	side    = 32 // synthetic images are side × side RGB
	classes = 3
)

// newConfig returns the tiny config, closed when the test ends.
func newConfig(t testing.TB) *s4seg.Config {
	t.Helper()
	cfg, err := s4seg.NewConfig()
	must(t, err)
	t.Cleanup(func() { cfg.Close() })
	must(t, cfg.Parse(tinyConfig))
	return cfg
}

// newDataset returns count synthetic labeled samples, closed when the test ends.
func newDataset(t testing.TB, count int, seed uint64) *s4seg.Dataset {
	t.Helper()
	ds, err := s4seg.NewDataset()
	must(t, err)
	t.Cleanup(func() { ds.Close() })
	must(t, ds.AddSynthetic(count, side, side, classes, seed))
	return ds
}

// newModel returns an untrained tiny model, closed when the test ends.
func newModel(t testing.TB) *s4seg.Model {
	t.Helper()
	model, err := s4seg.NewModel(newConfig(t))
	must(t, err)
	t.Cleanup(func() { model.Close() })
	return model
}

// sampleImage returns the RGB pixels of sample index of ds.
func sampleImage(t testing.TB, ds *s4seg.Dataset, index int) []byte {
	t.Helper()
	image, err := ds.Image(index)
	must(t, err)
	defer image.Close()
	pixels, err := image.Data()
	must(t, err)
	return pixels
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantStatus fails unless err is an *s4seg.Error with the given code and a message.
func wantStatus(t testing.TB, err error, code s4seg.Status) {
	t.Helper()
	var e *s4seg.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want an *s4seg.Error with code %v", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	if e.Message == "" {
		t.Fatalf("error with code %v carries no message", code)
	}
}

// trainedModel returns a tiny model trained for train.iters (4) iterations on ds.
func trainedModel(t testing.TB, ds *s4seg.Dataset) *s4seg.Model {
	t.Helper()
	model := newModel(t)
	trainer, err := s4seg.NewTrainer(model, ds, nil, newConfig(t))
	must(t, err)
	defer trainer.Close()
	_, err = trainer.Step(4)
	must(t, err)
	return model
}

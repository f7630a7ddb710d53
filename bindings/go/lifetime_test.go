package s4seg_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"s4seg.dev/s4seg"
)

// handles returns one open handle of each type.
func handles(t *testing.T) (*s4seg.Config, *s4seg.Image, *s4seg.Dataset, *s4seg.Model, *s4seg.Trainer, *s4seg.Labeler) {
	cfg, err := s4seg.NewConfig()
	must(t, err)
	must(t, cfg.Parse(tinyConfig))
	image, err := s4seg.NewImage(pattern(side, side, 3), side, side, 3)
	must(t, err)
	ds, err := s4seg.NewDataset()
	must(t, err)
	must(t, ds.AddSynthetic(2, side, side, classes, 1))
	model, err := s4seg.NewModel(cfg)
	must(t, err)
	trainer, err := s4seg.NewTrainer(model, ds, nil, cfg)
	must(t, err)
	labeler, err := s4seg.NewLabeler(model, cfg)
	must(t, err)
	return cfg, image, ds, model, trainer, labeler
}

func TestCloseTwiceIsHarmless(t *testing.T) {
	cfg, image, ds, model, trainer, labeler := handles(t)
	for _, closer := range []io.Closer{trainer, labeler, model, ds, image, cfg} {
		must(t, closer.Close())
		must(t, closer.Close())
	}
}

// wantClosed fails unless err is the StatusState error of a closed handle.
func wantClosed(t *testing.T, err error) {
	t.Helper()
	wantStatus(t, err, s4seg.StatusState)
	if !strings.Contains(err.Error(), "closed") {
		t.Errorf("the error does not say the object is closed: %v", err)
	}
}

func TestUseAfterCloseIsAnError(t *testing.T) {
	cfg, image, ds, model, trainer, labeler := handles(t)
	for _, closer := range []io.Closer{cfg, image, ds, model, trainer, labeler} {
		must(t, closer.Close())
	}
	pixels := pattern(side, side, 3)

	_, err := cfg.GetInt("model.num_classes")
	wantClosed(t, err)
	wantClosed(t, cfg.SetInt("model.num_classes", 3))
	_, err = cfg.Clone()
	wantClosed(t, err)
	_, err = image.Data()
	wantClosed(t, err)
	_, err = ds.Len()
	wantClosed(t, err)
	wantClosed(t, ds.AddSynthetic(1, side, side, classes, 1))
	wantClosed(t, ds.AddLayout(s4seg.LayoutVOC, "root", "train", 0))
	wantClosed(t, ds.SetCache(1024))
	_, err = ds.CacheStats()
	wantClosed(t, err)
	_, err = model.Predict(pixels, side, side, 3)
	wantClosed(t, err)
	wantClosed(t, model.Save(t.TempDir()+"/closed.s4seg"))
	wantClosed(t, model.LoadBackbone("weights.safetensors"))
	wantClosed(t, model.LoadBackbonePartial("weights.safetensors"))
	wantClosed(t, model.SaveBackbone("weights.safetensors"))
	_, err = model.BackboneReport()
	wantClosed(t, err)
	_, err = model.ClassName(0)
	wantClosed(t, err)
	_, err = model.ClassNames()
	wantClosed(t, err)
	_, err = model.Palette()
	wantClosed(t, err)
	_, err = model.Evaluate(ds)
	wantClosed(t, err)
	_, err = trainer.Step(1)
	wantClosed(t, err)
	wantClosed(t, trainer.Cancel())
	_, err = trainer.Metrics()
	wantClosed(t, err)
	_, err = labeler.Label(pixels, side, side, 3)
	wantClosed(t, err)
}

// A closed handle passed as an argument is reported as closed, never taken for "none" or
// "defaults".
func TestClosedArgumentsAreErrors(t *testing.T) {
	cfg := newConfig(t)
	ds := newDataset(t, 2, 1)
	model := newModel(t)

	closedCfg, err := s4seg.NewConfig()
	must(t, err)
	must(t, closedCfg.Close())
	_, err = s4seg.NewModel(closedCfg)
	wantClosed(t, err)
	_, err = s4seg.NewLabeler(model, closedCfg)
	wantClosed(t, err)

	closedDs, err := s4seg.NewDataset()
	must(t, err)
	must(t, closedDs.Close())
	_, err = s4seg.NewTrainer(model, closedDs, nil, cfg)
	wantClosed(t, err)
	_, err = s4seg.NewTrainer(model, ds, closedDs, cfg)
	wantClosed(t, err)
	_, err = model.Evaluate(closedDs)
	wantClosed(t, err)

	_, err = s4seg.NewTrainer(nil, ds, nil, cfg)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	_, err = model.Evaluate(nil)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
}

// A nil handle (say, from an ignored constructor error) behaves as a closed one: no panic.
func TestNilHandlesAreErrors(t *testing.T) {
	var model *s4seg.Model
	var trainer *s4seg.Trainer
	_, err := model.Predict(pattern(side, side, 3), side, side, 3)
	wantClosed(t, err)
	_, err = trainer.Step(1)
	wantClosed(t, err)
	must(t, model.Close())
	must(t, trainer.Close())
}

// Close waits for a call in flight instead of freeing the trainer under it.
func TestCloseWaitsForARunningStep(t *testing.T) {
	cfg := newConfig(t)
	must(t, cfg.SetInt("train.iters", 200))
	trainer, err := s4seg.NewTrainer(newModel(t), newDataset(t, 4, 1), nil, cfg)
	must(t, err)
	type outcome struct {
		stats    s4seg.TrainStats
		err      error
		finished time.Time
	}
	started, done := make(chan struct{}), make(chan outcome, 1)
	go func() {
		close(started)
		stats, err := trainer.Step(200)
		done <- outcome{stats, err, time.Now()}
	}()
	<-started
	time.Sleep(50 * time.Millisecond) // Step has almost surely begun; 200 iterations take far longer
	must(t, trainer.Close())
	closed := time.Now()
	result := <-done
	if result.err != nil { // Close won the race: Step must then see a closed trainer
		wantClosed(t, result.err)
		t.Skip("Close ran before Step began; nothing was in flight")
	}
	if result.stats.Iteration != 200 {
		t.Errorf("Step was cut short at iteration %d", result.stats.Iteration)
	}
	if result.finished.After(closed) {
		t.Errorf("Close returned %v before Step finished", result.finished.Sub(closed))
	}
}

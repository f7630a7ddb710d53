package s4seg_test

import (
	"math"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"s4seg.dev/s4seg"
)

func TestTrainingStep(t *testing.T) {
	model := newModel(t)
	trainer, err := s4seg.NewTrainer(model, newDataset(t, 8, 1), nil, newConfig(t))
	must(t, err)
	defer trainer.Close()

	stats, err := trainer.Step(2)
	must(t, err)
	if stats.Iteration != 2 || stats.TotalIterations != 4 {
		t.Errorf("iteration %d of %d, want 2 of 4", stats.Iteration, stats.TotalIterations)
	}
	if math.IsNaN(stats.Loss) || stats.Loss <= 0 || stats.LearningRate <= 0 || stats.Elapsed <= 0 ||
		stats.ImagesPerSecond <= 0 {
		t.Errorf("implausible stats %+v", stats)
	}
	if stats.PseudoKeepRatio != -1 {
		t.Errorf("supervised training reports a pseudo-label keep ratio %g, want -1", stats.PseudoKeepRatio)
	}
	if n, err := trainer.Iteration(); err != nil || n != 2 {
		t.Errorf("Iteration = %d, %v; want 2", n, err)
	}
	metrics, err := trainer.Metrics()
	must(t, err)
	if loss, ok := metrics["loss/supervised"]; !ok || math.IsNaN(loss) || loss <= 0 {
		t.Errorf("metrics %v lack a positive loss/supervised", metrics)
	}

	stats, err = trainer.Step(100) // stops at train.iters
	must(t, err)
	if stats.Iteration != 4 {
		t.Errorf("Step(100) ended at iteration %d, want train.iters = 4", stats.Iteration)
	}
	_, err = trainer.Step(1)
	wantStatus(t, err, s4seg.StatusState)
}

func TestSemiSupervisedStep(t *testing.T) {
	cfg := newConfig(t)
	must(t, cfg.Parse("train.method = fixmatch\npseudo.threshold = 0.5\n"))
	labeled, unlabeled := newDataset(t, 4, 1), newDataset(t, 4, 2)

	_, err := s4seg.NewTrainer(newModel(t), labeled, nil, cfg)
	wantStatus(t, err, s4seg.StatusInvalidArgument) // fixmatch needs unlabeled data

	trainer, err := s4seg.NewTrainer(newModel(t), labeled, unlabeled, cfg)
	must(t, err)
	defer trainer.Close()
	stats, err := trainer.Step(2)
	must(t, err)
	if stats.PseudoKeepRatio < 0 || stats.PseudoKeepRatio > 1 {
		t.Errorf("pseudo-label keep ratio %g, want within [0, 1]", stats.PseudoKeepRatio)
	}
	metrics, err := trainer.Metrics()
	must(t, err)
	if _, ok := metrics["loss/unsupervised"]; !ok {
		t.Errorf("metrics %v lack loss/unsupervised", metrics)
	}
}

func TestCheckpointAndResume(t *testing.T) {
	ds := newDataset(t, 8, 1)
	cfg := newConfig(t)
	first, err := s4seg.NewTrainer(newModel(t), ds, nil, cfg)
	must(t, err)
	defer first.Close()
	_, err = first.Step(2)
	must(t, err)
	path := filepath.Join(t.TempDir(), "checkpoint.s4seg")
	must(t, first.SaveCheckpoint(path))

	second, err := s4seg.NewTrainer(newModel(t), ds, nil, cfg)
	must(t, err)
	defer second.Close()
	wantStatus(t, second.Resume(filepath.Join(t.TempDir(), "missing.s4seg")), s4seg.StatusIO)
	must(t, second.Resume(path))
	if n, err := second.Iteration(); err != nil || n != 2 {
		t.Errorf("resumed at iteration %d, %v; want 2", n, err)
	}
	stats, err := second.Step(2)
	must(t, err)
	if stats.Iteration != 4 {
		t.Errorf("resumed training ended at %d, want 4", stats.Iteration)
	}

	fromCheckpoint, err := s4seg.LoadModel(path, "cpu") // a checkpoint is also a model file
	must(t, err)
	fromCheckpoint.Close()
}

// Cancel reaches a Step running on another goroutine (another OS thread), which stops with
// StatusCancelled and keeps the iterations it completed.
func TestCancelFromAnotherGoroutine(t *testing.T) {
	cfg := newConfig(t)
	must(t, cfg.SetInt("train.iters", 1000000))
	trainer, err := s4seg.NewTrainer(newModel(t), newDataset(t, 4, 1), nil, cfg)
	must(t, err)
	defer trainer.Close()

	done := make(chan error, 1)
	go func() {
		_, err := trainer.Step(1000000)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	must(t, trainer.Cancel())
	select {
	case err := <-done:
		wantStatus(t, err, s4seg.StatusCancelled)
	case <-time.After(60 * time.Second):
		t.Fatal("Step did not stop within 60 s of Cancel")
	}
	if n, err := trainer.Iteration(); err != nil || n < 1 || n >= 1000000 {
		t.Errorf("after Cancel the trainer is at iteration %d, %v", n, err)
	}
}

// Closing the model, datasets and config a trainer uses, and letting the collector run, must not
// disturb it: the native trainer holds its own references.
func TestTrainerKeepsModelAndDatasetsAlive(t *testing.T) {
	cfg, err := s4seg.NewConfig()
	must(t, err)
	must(t, cfg.Parse(tinyConfig))
	model, err := s4seg.NewModel(cfg)
	must(t, err)
	ds, err := s4seg.NewDataset()
	must(t, err)
	must(t, ds.AddSynthetic(4, side, side, classes, 1))
	trainer, err := s4seg.NewTrainer(model, ds, nil, cfg)
	must(t, err)
	defer trainer.Close()

	must(t, model.Close())
	must(t, ds.Close())
	must(t, cfg.Close())
	model, ds, cfg = nil, nil, nil
	runtime.GC()
	runtime.GC()

	stats, err := trainer.Step(2)
	must(t, err)
	if stats.Iteration != 2 {
		t.Errorf("iteration %d, want 2", stats.Iteration)
	}
	must(t, trainer.SaveCheckpoint(filepath.Join(t.TempDir(), "orphan.s4seg")))
}

// Command quickstart is the smallest complete Go host of s4seg: it trains a small model on
// synthetic data for a few iterations, saves it, loads it back, predicts one image and prints the
// validation mIoU. Every call returns an error; every handle is closed with defer.
//
// usage: quickstart [MODEL_PATH]   (without a path the model goes to a temporary directory)
//
// CMake builds it (target s4seg_go_sample, program <build>/bindings/go/s4seg_go_quickstart) with
// the workspace <build>/bindings/go/go.work, which resolves the module s4seg.dev/s4seg to the one
// assembled there; CTest runs it as sample_go.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"s4seg.dev/s4seg"
)

// A model small enough to train in a second on one CPU core ("device = auto" would pick CUDA).
const config = `
device = cpu
model.backbone = resnet18
model.num_classes = 3
model.width = 8
model.aspp_channels = 16
model.low_level_channels = 8
train.iters = 40
train.batch_size = 4
train.crop_size = 32
train.lr = 0.05
train.threads = 1
train.workers = 0
train.seed = 1
`

const side, classes = 32, 3

func main() {
	if err := quickstart(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func quickstart(args []string) error {
	if len(args) > 0 {
		return run(args[0])
	}
	dir, err := os.MkdirTemp("", "s4seg-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return run(filepath.Join(dir, "quickstart.s4seg"))
}

func run(path string) error {
	fmt.Printf("s4seg %s\n", s4seg.Version())
	cfg, err := s4seg.NewConfig()
	if err != nil {
		return err
	}
	defer cfg.Close()
	if err := cfg.Parse(config); err != nil {
		return err
	}

	train, err := syntheticDataset(32, 1)
	if err != nil {
		return err
	}
	defer train.Close()
	val, err := syntheticDataset(8, 2)
	if err != nil {
		return err
	}
	defer val.Close()

	model, err := s4seg.NewModel(cfg)
	if err != nil {
		return err
	}
	defer model.Close()
	if err := trainModel(model, train, cfg); err != nil {
		return err
	}
	if err := model.Save(path); err != nil {
		return err
	}

	loaded, err := s4seg.LoadModel(path, "cpu")
	if err != nil {
		return err
	}
	defer loaded.Close()
	if err := predictOne(loaded, val); err != nil {
		return err
	}
	scores, err := loaded.Evaluate(val)
	if err != nil {
		return err
	}
	fmt.Printf("validation mIoU %.4f (pixel accuracy %.4f)\n", scores.MIoU, scores.PixelAccuracy)
	return nil
}

func syntheticDataset(count int, seed uint64) (*s4seg.Dataset, error) {
	ds, err := s4seg.NewDataset()
	if err != nil {
		return nil, err
	}
	if err := ds.AddSynthetic(count, side, side, classes, seed); err != nil {
		ds.Close()
		return nil, err
	}
	return ds, nil
}

// trainModel steps until train.iters; the host drives training, no callbacks needed.
func trainModel(model *s4seg.Model, train *s4seg.Dataset, cfg *s4seg.Config) error {
	trainer, err := s4seg.NewTrainer(model, train, nil, cfg)
	if err != nil {
		return err
	}
	defer trainer.Close()
	for {
		stats, err := trainer.Step(10)
		if s4seg.StatusOf(err) == s4seg.StatusState { // train.iters reached
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Printf("iteration %d/%d  loss %.4f  %.0f images/s\n", stats.Iteration, stats.TotalIterations,
			stats.Loss, stats.ImagesPerSecond)
	}
}

// predictOne segments the first validation image and prints how many pixels went to each class.
func predictOne(model *s4seg.Model, val *s4seg.Dataset) error {
	image, err := val.Image(0)
	if err != nil {
		return err
	}
	defer image.Close()
	pixels, err := image.Data()
	if err != nil {
		return err
	}
	labels, err := model.Predict(pixels, side, side, 3)
	if err != nil {
		return err
	}
	counts := make([]int, classes)
	for _, label := range labels {
		counts[label]++
	}
	fmt.Printf("predicted a %dx%d label map with the reloaded model; pixels per class %v\n", side, side, counts)
	return nil
}

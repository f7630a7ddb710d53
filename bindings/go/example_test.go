package s4seg_test

import (
	"fmt"
	"log"

	"s4seg.dev/s4seg"
)

// Trains a tiny model on synthetic data for a few iterations, then segments one image.
func Example() {
	cfg, err := s4seg.NewConfig()
	if err != nil {
		log.Fatal(err)
	}
	defer cfg.Close()
	err = cfg.Parse(`
		device = cpu
		model.num_classes = 3
		model.backbone = resnet18
		model.width = 8
		train.iters = 4
		train.batch_size = 2
		train.crop_size = 32
		train.threads = 1
		train.workers = 0`)
	if err != nil {
		log.Fatal(err)
	}

	train, err := s4seg.NewDataset()
	if err != nil {
		log.Fatal(err)
	}
	defer train.Close()
	if err := train.AddSynthetic(8, 32, 32, 3, 1); err != nil {
		log.Fatal(err)
	}

	model, err := s4seg.NewModel(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer model.Close()
	trainer, err := s4seg.NewTrainer(model, train, nil, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer trainer.Close()
	stats, err := trainer.Step(4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trained %d of %d iterations\n", stats.Iteration, stats.TotalIterations)

	image, err := train.Image(0)
	if err != nil {
		log.Fatal(err)
	}
	defer image.Close()
	pixels, err := image.Data()
	if err != nil {
		log.Fatal(err)
	}
	labels, err := model.Predict(pixels, 32, 32, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d labels\n", len(labels))

	_, err = s4seg.LoadModel("missing.s4seg", "cpu")
	fmt.Println(s4seg.StatusOf(err))
	// Output:
	// trained 4 of 4 iterations
	// 1024 labels
	// IO
}

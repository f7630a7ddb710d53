package s4seg_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s4seg.dev/s4seg"
)

func TestFlopsAndDeviceMemory(t *testing.T) {
	model := newModel(t)
	small, err := model.Flops(32, 32)
	must(t, err)
	large, err := model.Flops(64, 64)
	must(t, err)
	if !(small > 0 && large > 3.9*small && large <= 4*small) {
		t.Errorf("FLOPs %g at 32x32 and %g at 64x64; want about 4x", small, large)
	}
	current, peak, err := s4seg.DeviceMemory("cpu")
	must(t, err)
	if current == 0 || peak < current {
		t.Errorf("memory current %d peak %d; want 0 < current <= peak", current, peak)
	}
	if _, _, err := s4seg.DeviceMemory("tpu"); err == nil {
		t.Error("an unknown device must be an error")
	}
}

func TestCudaGraphsSwitchIsPartOfTheConfig(t *testing.T) {
	model := newModel(t)
	must(t, model.SetCudaGraphs(true))
	config, err := model.Config()
	must(t, err)
	defer config.Close()
	on, err := config.GetBool("model.cuda_graphs")
	must(t, err)
	if !on {
		t.Error("model.cuda_graphs is false after SetCudaGraphs(true)")
	}
}

func TestPredictIntoBuffer(t *testing.T) {
	ds := newDataset(t, 4, 1)
	model := trainedModel(t, ds)
	image := sampleImage(t, ds, 0)

	labels := make([]byte, side*side)
	for i := range labels {
		labels[i] = 200 // not a class: every pixel must be overwritten
	}
	confidence := make([]float32, side*side)
	must(t, model.PredictInto(image, side, side, 3, labels, confidence))
	if max := maxByte(labels); max >= classes {
		t.Errorf("a label is %d; want class indices below %d", max, classes)
	}
	for i, p := range confidence {
		// The top class of 3 has probability at least 1/3.
		if !(p >= 1.0/classes-1e-6 && p <= 1) {
			t.Fatalf("confidence[%d] = %g, want within [1/3, 1]", i, p)
		}
	}

	allocated, err := model.Predict(image, side, side, 3)
	must(t, err)
	if !bytes.Equal(allocated, labels) {
		t.Errorf("Predict and PredictInto disagree")
	}
	withConfidence, probabilities, err := model.PredictWithConfidence(image, side, side, 3)
	must(t, err)
	if !bytes.Equal(withConfidence, labels) || len(probabilities) != side*side {
		t.Errorf("PredictWithConfidence returned %d labels and %d probabilities, or other labels",
			len(withConfidence), len(probabilities))
	}
}

func TestPredictRejectsWrongBuffers(t *testing.T) {
	model := newModel(t)
	image := pattern(side, side, 3)
	wantStatus(t, model.PredictInto(image, side, side, 3, make([]byte, side*side-1), nil), s4seg.StatusInvalidArgument)
	wantStatus(t, model.PredictInto(image, side, side, 3, nil, nil), s4seg.StatusInvalidArgument)
	wantStatus(t, model.PredictInto(image, side, side, 3, make([]byte, side*side), make([]float32, 3)),
		s4seg.StatusInvalidArgument)
	wantStatus(t, model.PredictInto(image[1:], side, side, 3, make([]byte, side*side), nil), s4seg.StatusInvalidArgument)

	_, err := model.Predict(image, side, side+1, 3)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	_, err = model.Predict(image, -side, -side, 3)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	_, err = model.PredictBatch(image, 2, side, side, 3)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
}

func TestPredictBatchMatchesSingleImages(t *testing.T) {
	ds := newDataset(t, 2, 3)
	model := newModel(t)
	first, second := sampleImage(t, ds, 0), sampleImage(t, ds, 1)
	batch, err := model.PredictBatch(append(append([]byte{}, first...), second...), 2, side, side, 3)
	must(t, err)
	want1, _ := model.Predict(first, side, side, 3)
	want2, err := model.Predict(second, side, side, 3)
	must(t, err)
	if !bytes.Equal(batch, append(want1, want2...)) {
		t.Errorf("PredictBatch differs from one Predict per image")
	}
}

func TestSaveLoadGivesIdenticalPredictions(t *testing.T) {
	ds := newDataset(t, 4, 1)
	model := trainedModel(t, ds)
	image := sampleImage(t, ds, 1)
	path := filepath.Join(t.TempDir(), "tiny.s4seg")
	must(t, model.Save(path))

	loaded, err := s4seg.LoadModel(path, "cpu")
	must(t, err)
	defer loaded.Close()
	want, _, err := model.PredictWithConfidence(image, side, side, 3)
	must(t, err)
	got, _, err := loaded.PredictWithConfidence(image, side, side, 3)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("the reloaded model predicts differently")
	}
	if n, _ := loaded.NumClasses(); n != classes {
		t.Errorf("reloaded NumClasses = %d, want %d", n, classes)
	}
}

func TestLoadModelErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := s4seg.LoadModel(filepath.Join(dir, "missing.s4seg"), "cpu")
	wantStatus(t, err, s4seg.StatusIO)

	garbage := filepath.Join(dir, "garbage.s4seg")
	must(t, os.WriteFile(garbage, bytes.Repeat([]byte("not a model "), 100), 0o644))
	_, err = s4seg.LoadModel(garbage, "")
	wantStatus(t, err, s4seg.StatusFormat)

	model := newModel(t)
	wantStatus(t, model.Save(filepath.Join(dir, "no", "such", "dir", "m.s4seg")), s4seg.StatusIO)
}

func TestEvaluate(t *testing.T) {
	ds := newDataset(t, 4, 1)
	model := trainedModel(t, ds)
	scores, err := model.Evaluate(ds)
	must(t, err)
	if !(scores.MIoU >= 0 && scores.MIoU <= 1) || !(scores.PixelAccuracy > 0 && scores.PixelAccuracy <= 1) {
		t.Errorf("mIoU %g, pixel accuracy %g: want within [0, 1]", scores.MIoU, scores.PixelAccuracy)
	}
	if len(scores.ClassIoU) != classes {
		t.Fatalf("%d class IoUs, want %d", len(scores.ClassIoU), classes)
	}
	for class, iou := range scores.ClassIoU {
		if !math.IsNaN(iou) && !(iou >= 0 && iou <= 1) {
			t.Errorf("class %d IoU %g", class, iou)
		}
	}

	unlabeled, err := s4seg.NewDataset()
	must(t, err)
	defer unlabeled.Close()
	must(t, unlabeled.Add(sampleImage(t, ds, 0), side, side, 3, nil))
	_, err = model.Evaluate(unlabeled)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
}

// modelWith returns an untrained tiny model with lines applied after the tiny config, closed when
// the test ends.
func modelWith(t *testing.T, lines string) *s4seg.Model {
	t.Helper()
	cfg := newConfig(t)
	must(t, cfg.Parse(lines))
	model, err := s4seg.NewModel(cfg)
	must(t, err)
	t.Cleanup(func() { model.Close() })
	return model
}

func TestSavedBackboneLoadsIntoAnotherModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "encoder.safetensors")
	source, target := modelWith(t, "train.seed = 1"), modelWith(t, "train.seed = 2")
	must(t, source.SaveBackbone(path))
	report, err := target.BackboneReport()
	must(t, err)
	if report != "" {
		t.Errorf("report before any load: %q, want empty", report)
	}
	must(t, target.LoadBackbone(path))
	report, err = target.BackboneReport()
	must(t, err)
	if !strings.HasPrefix(report, "loaded ") {
		t.Errorf("report after a load: %q", report)
	}
	wantStatus(t, target.LoadBackbone(path+".missing"), s4seg.StatusIO)
	if again, _ := target.BackboneReport(); again != report {
		t.Errorf("report after a failed load: %q, want %q", again, report)
	}
}

func TestDeeperEncoderRefusesShallowWeightsUnlessPartial(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resnet18.safetensors")
	resnet18, resnet34 := newModel(t), modelWith(t, "model.backbone = resnet34")
	must(t, resnet18.SaveBackbone(path))
	err := resnet34.LoadBackbone(path)
	wantStatus(t, err, s4seg.StatusFormat)
	if !strings.Contains(err.Error(), "missing from the file") {
		t.Errorf("strict load message: %v", err)
	}
	must(t, resnet34.LoadBackbonePartial(path))
	report, err := resnet34.BackboneReport()
	must(t, err)
	if !strings.HasPrefix(report, "loaded ") || !strings.Contains(report, "missing from the file") {
		t.Errorf("report after a partial load: %q", report)
	}
}

func TestClassNamesAndPalette(t *testing.T) {
	model := modelWith(t, "model.num_classes = 21\nmodel.class_names = voc")
	if name, err := model.ClassName(15); err != nil || name != "person" {
		t.Errorf("class 15: %q (%v), want person", name, err)
	}
	names, err := model.ClassNames()
	must(t, err)
	if len(names) != 21 || names[0] != "background" || names[15] != "person" {
		t.Errorf("class names: %q", names)
	}
	palette, err := model.Palette()
	must(t, err)
	if len(palette) != 3*21 {
		t.Fatalf("palette of %d bytes, want 63", len(palette))
	}
	if !bytes.Equal(palette[45:48], []byte{192, 128, 128}) {
		t.Errorf("colour of class 15: %v, want [192 128 128]", palette[45:48])
	}
	into := make([]byte, 3*21)
	must(t, model.PaletteInto(into))
	if !bytes.Equal(into, palette) {
		t.Errorf("PaletteInto differs from Palette")
	}
	wantStatus(t, model.PaletteInto(make([]byte, 62)), s4seg.StatusInvalidArgument)
	wantStatus(t, model.PaletteInto(nil), s4seg.StatusInvalidArgument)
	for _, index := range []int{21, -1, 1<<32 + 15} {
		_, err := model.ClassName(index)
		wantStatus(t, err, s4seg.StatusInvalidArgument)
	}

	plain := newModel(t)
	if names, err := plain.ClassNames(); err != nil || len(names) != classes {
		t.Errorf("default class names: %q (%v)", names, err)
	}
	if palette, err := plain.Palette(); err != nil || len(palette) != 3*classes {
		t.Errorf("default palette: %v (%v)", palette, err)
	}
}

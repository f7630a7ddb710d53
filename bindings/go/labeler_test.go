package s4seg_test

import (
	"testing"

	"s4seg.dev/s4seg"
)

func TestLabel(t *testing.T) {
	ds := newDataset(t, 4, 1)
	model := trainedModel(t, ds)
	cfg := newConfig(t)
	must(t, cfg.Parse("pseudo.filter = threshold\npseudo.threshold = 0.4\n"))
	labeler, err := s4seg.NewLabeler(model, cfg)
	must(t, err)
	defer labeler.Close()
	must(t, model.Close()) // the labeler keeps its model alive

	result, err := labeler.Label(sampleImage(t, ds, 0), side, side, 3)
	must(t, err)
	if len(result.Labels) != side*side || len(result.Confidence) != side*side {
		t.Fatalf("%d labels and %d confidences, want %d", len(result.Labels), len(result.Confidence), side*side)
	}
	if len(result.Predicted) != classes || len(result.Kept) != classes {
		t.Fatalf("%d predicted and %d kept counts, want %d", len(result.Predicted), len(result.Kept), classes)
	}
	var predicted, kept, labeled uint64
	for class := range result.Predicted {
		if result.Kept[class] > result.Predicted[class] {
			t.Errorf("class %d: kept %d > predicted %d", class, result.Kept[class], result.Predicted[class])
		}
		predicted += result.Predicted[class]
		kept += result.Kept[class]
	}
	for i, label := range result.Labels {
		switch {
		case label < classes:
			labeled++
			if result.Confidence[i] < 102 { // round(255 × 0.4)
				t.Fatalf("pixel %d kept with confidence %d/255 below the 0.4 threshold", i, result.Confidence[i])
			}
		case label != 255:
			t.Fatalf("pixel %d has label %d", i, label)
		}
	}
	if predicted != side*side || kept != labeled {
		t.Errorf("predicted %d (want %d pixels), kept %d (want the %d labeled pixels)", predicted, side*side, kept, labeled)
	}
}

func TestLabelIntoRejectsWrongBuffers(t *testing.T) {
	labeler, err := s4seg.NewLabeler(newModel(t), nil)
	must(t, err)
	defer labeler.Close()
	image := pattern(side, side, 3)
	labels := make([]byte, side*side)
	wantStatus(t, labeler.LabelInto(image, side, side, 3, labels[1:], nil, nil, nil), s4seg.StatusInvalidArgument)
	wantStatus(t, labeler.LabelInto(image, side, side, 3, labels, make([]byte, 5), nil, nil), s4seg.StatusInvalidArgument)
	wantStatus(t, labeler.LabelInto(image, side, side, 3, labels, nil, make([]uint64, classes), make([]uint64, 2)),
		s4seg.StatusInvalidArgument)
	wantStatus(t, labeler.LabelInto(image, side, side, 3, labels, nil, make([]uint64, 2), nil),
		s4seg.StatusBufferTooSmall)
	must(t, labeler.LabelInto(image, side, side, 3, labels, nil, nil, nil))
}

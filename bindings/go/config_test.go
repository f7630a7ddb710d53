package s4seg_test

import (
	"strings"
	"testing"

	"s4seg.dev/s4seg"
)

func TestConfigRoundTrip(t *testing.T) {
	cfg := newConfig(t)
	must(t, cfg.SetInt("model.num_classes", 7))
	must(t, cfg.SetDouble("train.lr", 0.025))
	must(t, cfg.SetBool("train.nesterov", true))
	must(t, cfg.SetString("model.backbone", "resnet50"))
	must(t, cfg.Set("train.iters", "123"))

	if v, err := cfg.GetInt("model.num_classes"); err != nil || v != 7 {
		t.Errorf("model.num_classes = %d, %v; want 7", v, err)
	}
	if v, err := cfg.GetDouble("train.lr"); err != nil || v != 0.025 {
		t.Errorf("train.lr = %g, %v; want 0.025", v, err)
	}
	if v, err := cfg.GetBool("train.nesterov"); err != nil || !v {
		t.Errorf("train.nesterov = %v, %v; want true", v, err)
	}
	if v, err := cfg.GetString("model.backbone"); err != nil || v != "resnet50" {
		t.Errorf("model.backbone = %q, %v; want resnet50", v, err)
	}
	if v, err := cfg.GetInt("train.iters"); err != nil || v != 123 {
		t.Errorf("train.iters = %d, %v; want 123 (set from text)", v, err)
	}
	if v, err := cfg.GetString("train.iters"); err != nil || v != "123" {
		t.Errorf("train.iters as text = %q, %v; want 123", v, err)
	}
}

func TestConfigCloneIsIndependent(t *testing.T) {
	cfg := newConfig(t)
	clone, err := cfg.Clone()
	must(t, err)
	defer clone.Close()
	must(t, clone.SetInt("model.num_classes", 9))
	if v, _ := cfg.GetInt("model.num_classes"); v != classes {
		t.Errorf("changing the clone changed the original: model.num_classes = %d", v)
	}
	if v, _ := clone.GetInt("model.num_classes"); v != 9 {
		t.Errorf("clone model.num_classes = %d, want 9", v)
	}
}

func TestConfigRejectsBadInput(t *testing.T) {
	cfg := newConfig(t)

	err := cfg.SetInt("no.such.key", 1)
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	if !strings.Contains(err.Error(), "no.such.key") {
		t.Errorf("the error does not name the key: %v", err)
	}
	_, err = cfg.GetInt("no.such.key")
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	_, err = cfg.GetBool("model.num_classes")
	wantStatus(t, err, s4seg.StatusInvalidArgument)
	wantStatus(t, cfg.SetString("model.num_classes", "many"), s4seg.StatusInvalidArgument)

	wantStatus(t, cfg.SetInt("model.num_classes", 1), s4seg.StatusInvalidArgument)
	if v, _ := cfg.GetInt("model.num_classes"); v != classes {
		t.Errorf("a rejected value changed the config: model.num_classes = %d", v)
	}

	// Parse is all-or-nothing.
	wantStatus(t, cfg.Parse("train.iters = 9\nbogus.key = 1\n"), s4seg.StatusInvalidArgument)
	if v, _ := cfg.GetInt("train.iters"); v != 4 {
		t.Errorf("a failed Parse applied its first line: train.iters = %d", v)
	}
}

func TestConfigKeysDescribeTheRegistry(t *testing.T) {
	keys, err := s4seg.ConfigKeys()
	must(t, err)
	byName := map[string]s4seg.ConfigKey{}
	for _, key := range keys {
		if key.Name == "" || key.Allowed == "" || key.Doc == "" {
			t.Errorf("incomplete key %+v", key)
		}
		if _, seen := byName[key.Name]; seen {
			t.Errorf("key %s listed twice", key.Name)
		}
		byName[key.Name] = key
	}
	classesKey, ok := byName["model.num_classes"]
	if !ok {
		t.Fatalf("model.num_classes missing from %d keys", len(keys))
	}
	if classesKey.Type != s4seg.TypeInt || classesKey.Type.String() != "int" {
		t.Errorf("model.num_classes has type %v, want int", classesKey.Type)
	}
	if byName["train.lr"].Type != s4seg.TypeDouble || byName["train.flip"].Type != s4seg.TypeBool ||
		byName["model.backbone"].Type != s4seg.TypeString {
		t.Errorf("wrong key types: %+v %+v %+v", byName["train.lr"], byName["train.flip"], byName["model.backbone"])
	}

	// Every default reads back from a fresh config as the registry states it.
	cfg, err := s4seg.NewConfig()
	must(t, err)
	defer cfg.Close()
	if v, err := cfg.GetString("model.num_classes"); err != nil || v != classesKey.Default {
		t.Errorf("model.num_classes default = %q, %v; registry says %q", v, err, classesKey.Default)
	}
}

func TestModelKeepsItsConfig(t *testing.T) {
	model := newModel(t)
	cfg, err := model.Config()
	must(t, err)
	defer cfg.Close()
	if v, err := cfg.GetString("model.backbone"); err != nil || v != "resnet18" {
		t.Errorf("model config backbone = %q, %v; want resnet18", v, err)
	}
	if n, err := model.NumClasses(); err != nil || n != classes {
		t.Errorf("NumClasses = %d, %v; want %d", n, err, classes)
	}
	if device, err := model.Device(); err != nil || device != "cpu" {
		t.Errorf("Device = %q, %v; want cpu", device, err)
	}
}

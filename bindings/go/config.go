package s4seg

import (
	"runtime"

	"s4seg.dev/s4seg/internal/s4segswig"
)

// Config holds typed options by dotted key ("device", "model.backbone", "train.lr", ...); every
// key has a type, a default, an allowed range and a doc (see ConfigKeys). Models, trainers and
// labelers copy what they use, so a config may be changed or closed afterwards.
// Thread safety: reads from several goroutines at once; writes need exclusive access.
type Config struct{ h handle }

// NewConfig creates a config holding every key at its default.
func NewConfig() (*Config, error) {
	return create(func() uintptr { return s4segswig.NewConfig().Swigcptr() }, wrapConfig)
}

func wrapConfig(ptr uintptr) *Config {
	c := &Config{}
	c.h.init(ptr, func(p uintptr) { s4segswig.DeleteConfig(s4segswig.SwigcptrConfig(p)) })
	runtime.SetFinalizer(c, func(c *Config) { c.h.release() })
	return c
}

func (c *Config) ref() *handle {
	if c == nil {
		return nil
	}
	return &c.h
}

func (c *Config) use(fn func(s4segswig.SwigcptrConfig)) error {
	return c.ref().use(func(p uintptr) { fn(s4segswig.SwigcptrConfig(p)) })
}

// Close releases the native config. Further calls do nothing; other methods then fail with
// StatusState.
func (c *Config) Close() error {
	if c != nil {
		runtime.SetFinalizer(c, nil)
		c.h.release()
	}
	return nil
}

// Clone returns an independent copy.
func (c *Config) Clone() (*Config, error) {
	var ptr uintptr
	if err := c.use(func(p s4segswig.SwigcptrConfig) { ptr = p.Clone().Swigcptr() }); err != nil {
		return nil, err
	}
	return wrapConfig(ptr), nil
}

// SetInt sets an int key (a double key accepts whole numbers too). An unknown key, a wrong type
// or an out-of-range value is a StatusInvalidArgument error and leaves the config unchanged.
func (c *Config) SetInt(key string, value int64) error {
	return c.use(func(p s4segswig.SwigcptrConfig) { p.SetInt(key, value) })
}

// SetDouble sets a double key (an int key accepts whole numbers).
func (c *Config) SetDouble(key string, value float64) error {
	return c.use(func(p s4segswig.SwigcptrConfig) { p.SetDouble(key, value) })
}

// SetBool sets a bool key.
func (c *Config) SetBool(key string, value bool) error {
	return c.use(func(p s4segswig.SwigcptrConfig) { p.SetBool(key, value) })
}

// SetString sets a string key.
func (c *Config) SetString(key, value string) error {
	return c.use(func(p s4segswig.SwigcptrConfig) { p.SetString(key, value) })
}

// Set sets any key from text, converted to the key's type ("0.01", "true", "resnet18", ...).
func (c *Config) Set(key, text string) error {
	return c.use(func(p s4segswig.SwigcptrConfig) { p.Set(key, text) })
}

// GetInt returns an int key's value.
func (c *Config) GetInt(key string) (int64, error) {
	var value int64
	err := c.use(func(p s4segswig.SwigcptrConfig) { value = p.GetInt(key) })
	return value, err
}

// GetDouble returns a double key's value.
func (c *Config) GetDouble(key string) (float64, error) {
	var value float64
	err := c.use(func(p s4segswig.SwigcptrConfig) { value = p.GetDouble(key) })
	return value, err
}

// GetBool returns a bool key's value.
func (c *Config) GetBool(key string) (bool, error) {
	var value bool
	err := c.use(func(p s4segswig.SwigcptrConfig) { value = p.GetBool(key) })
	return value, err
}

// GetString returns any key's value as text (a string key as it is).
func (c *Config) GetString(key string) (string, error) {
	var value string
	err := c.use(func(p s4segswig.SwigcptrConfig) { value = p.GetString(key) })
	return value, err
}

// Parse applies "key = value" lines ('#' starts a comment). It is all-or-nothing: on an error,
// whose message names the line and key, the config is unchanged.
func (c *Config) Parse(text string) error {
	return c.use(func(p s4segswig.SwigcptrConfig) { p.Parse(text) })
}

// ValueType is the kind of value a config key holds.
type ValueType int

// The value types of config keys (s4seg_value_type).
const (
	TypeInt    ValueType = 0
	TypeDouble ValueType = 1
	TypeBool   ValueType = 2
	TypeString ValueType = 3
)

// String returns "int", "double", "bool" or "string".
func (t ValueType) String() string {
	switch t {
	case TypeInt:
		return "int"
	case TypeDouble:
		return "double"
	case TypeBool:
		return "bool"
	case TypeString:
		return "string"
	}
	return "unknown"
}

// ConfigKey describes one key of the registry.
type ConfigKey struct {
	Name    string
	Type    ValueType
	Default string // as text
	Allowed string // never empty: "2..255", "ce|ohem", "true|false", ...
	Doc     string // one line
}

// ConfigKeys lists every config key in registry order.
func ConfigKeys() ([]ConfigKey, error) {
	var count int64
	if err := call(func() { count = s4segswig.S4bConfigKeyCount() }); err != nil {
		return nil, err
	}
	keys := make([]ConfigKey, count)
	for i := range keys {
		index := int64(i)
		key := &keys[i]
		var kind int
		for _, read := range []func(){
			func() { key.Name = s4segswig.S4bConfigKeyName(index) },
			func() { kind = s4segswig.S4bConfigKeyType(index) },
			func() { key.Default = s4segswig.S4bConfigKeyDefault(index) },
			func() { key.Allowed = s4segswig.S4bConfigKeyAllowed(index) },
			func() { key.Doc = s4segswig.S4bConfigKeyDoc(index) },
		} {
			if err := call(read); err != nil {
				return nil, err
			}
		}
		key.Type = ValueType(kind)
	}
	return keys, nil
}

module s4seg.dev/samples/quickstart

go 1.19

require s4seg.dev/s4seg v0.0.0

module s4seg.dev/s4seg

go 1.19

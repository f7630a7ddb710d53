/*
 * Go part of the s4seg SWIG interface, included by ../s4seg.i (SWIGGO).
 *
 * SWIG generates a low-level package (internal/s4segswig, with -cgo -intgosize 64); the
 * hand-written package s4seg on top of it returns errors, owns handles and adds conveniences.
 * Deliberately no %exception: Go's would panic. The wrappers record each outcome in the C
 * thread-local of s4seg_support.h and the Go layer reads it with s4b_last_status/_message on the
 * same OS thread (runtime.LockOSThread around reset, call, read).
 */

/* Buffers are Go slices passed as (backing array, length): C reads and writes the Go memory
 * directly for the duration of the call, which the cgo pointer rules allow since the elements
 * hold no Go pointers. A nil slice arrives as (NULL, 0), which is how optional outputs and the
 * optional mask are omitted. The core checks every length before calling the library. */
%define S4B_GO_SLICE(CTYPE, GOTYPE, PTR, LEN)
%typemap(gotype) (CTYPE PTR, size_t LEN) "[]GOTYPE"
%typemap(in) (CTYPE PTR, size_t LEN) %{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}
%enddef

S4B_GO_SLICE(const uint8_t*, byte, BYTES_IN, BYTES_IN_LEN)
S4B_GO_SLICE(uint8_t*, byte, BYTES_OUT, BYTES_OUT_LEN)
S4B_GO_SLICE(float*, float32, FLOATS_OUT, FLOATS_OUT_LEN)
S4B_GO_SLICE(double*, float64, DOUBLES_OUT, DOUBLES_OUT_LEN)
S4B_GO_SLICE(uint64_t*, uint64, U64_OUT, U64_OUT_LEN)

/* The naming rule: snake_case functions and methods become exported CamelCase (set_int → SetInt,
 * s4b_last_status → S4bLastStatus); classes keep the names the core gives them. */
%rename("%(camelcase)s", %$isfunction) "";

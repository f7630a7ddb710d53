/*
 * C# layer of the s4seg bindings (included by ../s4seg.i under SWIGCSHARP).
 *
 * - Errors: every wrapper clears the thread's outcome, runs the call and, on failure, hands
 *   (status, message) to a C# delegate registered at start-up, which leaves a pending
 *   S4SegException that the proxy rethrows as soon as the P/Invoke returns (SWIG's
 *   "custom ApplicationException" pattern: SWIGPendingException + canthrow).
 * - Buffers: the five (pointer, count) families become C# arrays, pinned with `fixed` for the
 *   duration of the call (no copy; C writes output arrays in place) and passed as one NativeSpan.
 * - Names: one rule, snake_case -> PascalCase with the s4b_ prefix stripped. The module class is
 *   internal; S4SegLibrary is the public face of the module functions.
 * - Handles: SWIG's IDisposable proxies, declared partial so that the hand-written files of this
 *   folder add properties and allocating conveniences.
 */

/* ------------------------------------------------------------------------------------------ */
/* Naming and visibility                                                                       */
/* ------------------------------------------------------------------------------------------ */

%rename("%(camelcase)s", sourcefmt="%(strip:[s4b_])s", %$isfunction) "";

%pragma(csharp) moduleclassmodifiers="internal unsafe class"
%typemap(csclassmodifiers) SWIGTYPE "public unsafe partial class"

/* The header's enums, with C# names. Status is hand-written (Status.cs) because it adds
 * Unknown for codes newer than this binding. */
%ignore s4seg_status;
%rename(ConfigValueType) s4seg_value_type;
%rename(ImageMode) s4seg_image_mode;
%rename(Layout) s4seg_layout;
%rename("%(camelcase)s", sourcefmt="%(regex:/^S4SEG_(TYPE|IMAGE|LAYOUT)_(.*)$/\\L\\2/)s", %$isenumitem) "";

/* Go's error plumbing; in C# the exception carries the outcome. */
%ignore s4b_last_status;
%ignore s4b_last_message;
%ignore s4b_reset;

/* Accessors that the hand-written partial classes expose as properties or richer values. */
%define S4B_CS_INTERNAL(member, Name)
%rename(Name) member;
%csmethodmodifiers member "internal";
%enddef
S4B_CS_INTERNAL(s4b_image::width, GetWidth)
S4B_CS_INTERNAL(s4b_image::height, GetHeight)
S4B_CS_INTERNAL(s4b_image::channels, GetChannels)
S4B_CS_INTERNAL(s4b_dataset::size, GetSize)
S4B_CS_INTERNAL(s4b_dataset::cache_stats_into, CacheStatsInto)
S4B_CS_INTERNAL(s4b_model::num_classes, GetNumClasses)
S4B_CS_INTERNAL(s4b_model::device, GetDevice)
S4B_CS_INTERNAL(s4b_model::evaluate_into, EvaluateInto)
S4B_CS_INTERNAL(s4b_trainer::step_into, StepInto)
S4B_CS_INTERNAL(s4b_trainer::iteration, GetIteration)
S4B_CS_INTERNAL(s4b_trainer::metric_count, MetricCount)
S4B_CS_INTERNAL(s4b_trainer::metric_name, MetricName)
S4B_CS_INTERNAL(s4b_trainer::metric_value, MetricValue)

%include "csharp/s4seg_csharp_docs.i"

/* Enum-typed parameters where the core takes an int. */
%typemap(cstype) int mode "ImageMode"
%typemap(csin) int mode "(int)$csinput"
%typemap(cstype) int status "Status"
%typemap(csin) int status "(int)$csinput"
%typemap(cstype) int layout "Layout"
%typemap(csin) int layout "(int)$csinput"
%typemap(cstype) uint32_t flags "DatasetFlags"
%typemap(csin) uint32_t flags "(uint)$csinput"

/* Dispose and the finalizer as SWIG writes them, with their contract documented. */
%typemap(csdispose) SWIGTYPE %{
  /// <summary>Safety net only: frees the native object when Dispose was never called.</summary>
  ~$csclassname() {
    Dispose(false);
  }

  /// <summary>Frees the native object now. Later calls do nothing; any other use of this object
  /// throws S4SegException with Status.State.</summary>
  public void Dispose() {
    Dispose(true);
    global::System.GC.SuppressFinalize(this);
  }
%}
/* SWIG's remaining plumbing (swigCMemOwn, Dispose(bool)) is public-facing only through
 * inheritance; the members users call carry doc comments (s4seg_csharp_docs.i). */
%typemap(csimports) SWIGTYPE "#pragma warning disable 1591"

/* A labeler remembers its model's class count, which sizes the counts of Label(). */
%typemap(csconstruct, excode=SWIGEXCODE) struct s4b_labeler %{: this($imcall, true) {$excode
    classCount = model.NumClasses;
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */
/* ------------------------------------------------------------------------------------------ */

%insert(runtime) %{
typedef void (SWIGSTDCALL* s4b_cs_raise_fn)(int status, const char* message);
static s4b_cs_raise_fn s4b_cs_raise = NULL;

/* Called once by the C# side (S4SegExceptionHelper) before any other call. */
SWIGEXPORT void SWIGSTDCALL S4SegRegisterExceptionCallback(s4b_cs_raise_fn raise) { s4b_cs_raise = raise; }

/* SWIG's warning 845 looks for this name prefix to check that pending exceptions are handled. */
static void SWIG_CSharpSetPendingExceptionS4Seg(int status, const char* message) { s4b_cs_raise(status, message); }
%}

%pragma(csharp) imclasscode=%{
  /* Turns a failed call's (status, message) into a pending S4SegException on the calling thread;
   * the proxy method rethrows it right after the P/Invoke returns. */
  protected class S4SegExceptionHelper {
    public delegate void RaiseDelegate(int status, string message);
    static readonly RaiseDelegate raise = Raise;  // kept alive: native code holds a pointer to it

    [global::System.Runtime.InteropServices.DllImport("$dllimport", EntryPoint="S4SegRegisterExceptionCallback")]
    static extern void Register(RaiseDelegate raise);

    static void Raise(int status, string message) {
      SWIGPendingException.Set(new S4SegException(status, message));
    }

    static S4SegExceptionHelper() {
      Register(raise);
    }
  }
  protected static S4SegExceptionHelper s4segExceptionHelper = new S4SegExceptionHelper();
%}

%feature("except", canthrow=1) %{
  s4b_clear();
  $action
  if (s4b_thread_error.status != S4SEG_OK) {
    SWIG_CSharpSetPendingExceptionS4Seg(s4b_thread_error.status, s4b_thread_error.message);
    return $null;
  }
%}

/* ------------------------------------------------------------------------------------------ */
/* Buffers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

%{
/* A pinned C# array: its address and length, or count -1 for a null array. An empty array pins
 * to a null address; it arrives as a non-null empty buffer so that size checks, not null checks,
 * report it. */
typedef struct s4b_cs_span {
  void* data;
  int64_t count;
} s4b_cs_span;

static uint64_t s4b_cs_empty;

static void* s4b_cs_span_data(s4b_cs_span span) {
  if (span.count < 0) return NULL;
  return span.data ? span.data : (void*)&s4b_cs_empty;
}
static size_t s4b_cs_span_count(s4b_cs_span span) { return span.count < 0 ? 0 : (size_t)span.count; }
%}

%define S4B_CS_ARRAY(CTYPE, CSTYPE, PTR, LEN)
%typemap(ctype) (CTYPE PTR, size_t LEN) "s4b_cs_span"
%typemap(imtype) (CTYPE PTR, size_t LEN) "NativeSpan"
%typemap(cstype) (CTYPE PTR, size_t LEN) "CSTYPE[]"
%typemap(csin, pre="    fixed (CSTYPE* swig_ptrTo_$csinput = $csinput) {", terminator="    }")
  (CTYPE PTR, size_t LEN) "new NativeSpan(swig_ptrTo_$csinput, $csinput)"
%typemap(in) (CTYPE PTR, size_t LEN) %{
  $1 = ($1_ltype)s4b_cs_span_data($input);
  $2 = s4b_cs_span_count($input);
%}
%enddef

S4B_CS_ARRAY(const uint8_t*, byte, BYTES_IN, BYTES_IN_LEN)
S4B_CS_ARRAY(uint8_t*, byte, BYTES_OUT, BYTES_OUT_LEN)
S4B_CS_ARRAY(float*, float, FLOATS_OUT, FLOATS_OUT_LEN)
S4B_CS_ARRAY(double*, double, DOUBLES_OUT, DOUBLES_OUT_LEN)
S4B_CS_ARRAY(uint64_t*, ulong, U64_OUT, U64_OUT_LEN)

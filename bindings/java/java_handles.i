/*
 * Handle lifetime in Java: every handle class is AutoCloseable. close() frees the native object at
 * once and is idempotent; there are no finalizers (a GC thread freeing native memory at random times
 * is what try-with-resources replaces). Order does not matter: a trainer or labeler keeps its
 * model and datasets alive in C, so closing the model first is safe.
 *
 * After close() the handle's pointer is 0. Using the handle then reaches C as a NULL self, which
 * the core reports as S4SEG_STATE ("this Model is closed"); passing a closed handle as an argument
 * fails the same way here, before the call, while null stays a valid "none" for optional arguments.
 */

%typemap(javainterfaces) SWIGTYPE "AutoCloseable"
%typemap(javafinalize) SWIGTYPE ""

%typemap(javabody) SWIGTYPE %{
  private transient long swigCPtr;
  private transient boolean swigCMemOwn;

  $javaclassname(long cPtr, boolean cMemoryOwn) {
    swigCMemOwn = cMemoryOwn;
    swigCPtr = cPtr;
  }

  static long getCPtr($javaclassname obj) {
    return (obj == null) ? 0 : obj.swigCPtr;
  }

  /** The native pointer of an argument: 0 for null, an error for a closed handle. */
  static long argumentCPtr($javaclassname obj) {
    if (obj == null) return 0;
    long cPtr = obj.swigCPtr;
    if (cPtr == 0) throw new S4SegException(Status.STATE, "the $javaclassname passed as an argument is closed");
    return cPtr;
  }

  /** Whether close() has run. */
  public synchronized boolean isClosed() {
    return swigCPtr == 0;
  }
%}

%typemap(javadestruct, methodname="close", parameters="",
         methodmodifiers="/**\n   * Frees the native object now. Later calls do nothing; any other method then throws\n   * S4SegException with Status.STATE. Do not call it while another thread uses this object.\n   */\n  @Override\n  public synchronized") SWIGTYPE {
    if (swigCPtr != 0) {
      if (swigCMemOwn) {
        swigCMemOwn = false;
        $jnicall;
      }
      swigCPtr = 0;
    }
  }

%typemap(javain) SWIGTYPE *, SWIGTYPE & "$javaclassname.argumentCPtr($javainput)"

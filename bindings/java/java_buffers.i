/*
 * Java buffers for the core's (pointer, element count) families.
 *
 * Arrays: byte[] for bytes, float[], double[] and long[] (uint64 counts, read as unsigned) for the
 * rest. The wrapper borrows the array's elements for the call and hands them back afterwards;
 * outputs are copied back, inputs are not. A null array arrives as (NULL, 0), so optional
 * arguments (mask, confidence, counts) may be null. The element count that reaches C is the array's
 * length; the core checks it against the image sizes before calling the library.
 *
 * Direct NIO buffers (the zero-copy path): the remaining elements (position to limit) of a direct
 * buffer reach C as they are, with no copy; the buffer's position is not moved. Buffers
 * rejects heap and read-only buffers (and, for FloatBuffer, a non-native byte order) with
 * S4SegException(INVALID_ARGUMENT) before the native call.
 */

/* The Get/Release<Type>ArrayElements pair (not GetPrimitiveArrayCritical, which would stall the
 * garbage collector for a whole inference and forbids the JNI calls that raise errors). */
%define %s4b_java_array(CTYPE, FAMILY, JNITYPE, JNIARRAY, JAVATYPE, ACCESSOR, RELEASE_MODE)
%typemap(jni) (CTYPE FAMILY, size_t FAMILY##_LEN) "JNIARRAY"
%typemap(jtype) (CTYPE FAMILY, size_t FAMILY##_LEN) "JAVATYPE[]"
%typemap(jstype) (CTYPE FAMILY, size_t FAMILY##_LEN) "JAVATYPE[]"
%typemap(javain) (CTYPE FAMILY, size_t FAMILY##_LEN) "$javainput"
%typemap(in) (CTYPE FAMILY, size_t FAMILY##_LEN) %{
  $1 = NULL;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)(*jenv)->Get##ACCESSOR##ArrayElements(jenv, $input, NULL);
    if (!$1) return $null; /* OutOfMemoryError pending; the JVM is out of memory, so arrays borrowed
                             * for earlier arguments are not worth releasing on this path */
    $2 = (size_t)(*jenv)->GetArrayLength(jenv, $input);
  }
%}
%typemap(freearg) (CTYPE FAMILY, size_t FAMILY##_LEN) %{
  if ($1) (*jenv)->Release##ACCESSOR##ArrayElements(jenv, $input, (JNITYPE*)$1, RELEASE_MODE);
%}
%enddef

%s4b_java_array(const uint8_t*, BYTES_IN, jbyte, jbyteArray, byte, Byte, JNI_ABORT)
%s4b_java_array(uint8_t*, BYTES_OUT, jbyte, jbyteArray, byte, Byte, 0)
%s4b_java_array(float*, FLOATS_OUT, jfloat, jfloatArray, float, Float, 0)
%s4b_java_array(double*, DOUBLES_OUT, jdouble, jdoubleArray, double, Double, 0)
%s4b_java_array(uint64_t*, U64_OUT, jlong, jlongArray, long, Long, 0)

/* Direct buffers: Buffers.readable()/writable() check the buffer and return its remaining
 * elements as a slice, whose address and capacity are what C receives. */
%define %s4b_java_direct(CTYPE, FAMILY, JAVATYPE, CHECK)
%typemap(jni) (CTYPE FAMILY, size_t FAMILY##_LEN) "jobject"
%typemap(jtype) (CTYPE FAMILY, size_t FAMILY##_LEN) "java.nio.JAVATYPE"
%typemap(jstype) (CTYPE FAMILY, size_t FAMILY##_LEN) "java.nio.JAVATYPE"
%typemap(javain) (CTYPE FAMILY, size_t FAMILY##_LEN) "Buffers.CHECK($javainput, \"$javainput\")"
%typemap(in) (CTYPE FAMILY, size_t FAMILY##_LEN) %{
  $1 = NULL;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)(*jenv)->GetDirectBufferAddress(jenv, $input);
    $2 = $1 ? (size_t)(*jenv)->GetDirectBufferCapacity(jenv, $input) : 0;
  }
%}
%enddef

%s4b_java_direct(const uint8_t*, DIRECT_BYTES_IN, ByteBuffer, readable)
%s4b_java_direct(uint8_t*, DIRECT_BYTES_OUT, ByteBuffer, writable)
%s4b_java_direct(float*, DIRECT_FLOATS_OUT, FloatBuffer, writable)

/* Seeds are 64-bit patterns: a Java long (not SWIG's BigInteger for uint64_t). */
%apply int64_t { uint64_t seed };

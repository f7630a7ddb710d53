/*
 * Strings cross as standard UTF-8 byte arrays, encoded and decoded in Java (Strings.java).
 *
 * SWIG's default uses JNI's GetStringUTFChars/NewStringUTF, whose "modified UTF-8" writes
 * characters outside the BMP as two 3-byte surrogates: a file name with such a character would then
 * not be found by the C library. Arrays avoid that, and need no JNI call that is illegal while an
 * exception is pending (returned strings are built after the %exception block has run).
 */

%typemap(jni) char*, const char* "jbyteArray"
%typemap(jtype) char*, const char* "byte[]"
%typemap(jstype) char*, const char* "String"

/* Arguments: a NUL-terminated UTF-8 copy made by Strings.toC; null stays NULL. */
%typemap(javain) char*, const char* "Strings.toC($javainput)"
%typemap(in) char*, const char* %{
  $1 = NULL;
  if ($input) {
    $1 = ($1_ltype)(*jenv)->GetByteArrayElements(jenv, $input, NULL);
    if (!$1) return $null; /* OutOfMemoryError is pending */
  }
%}
%typemap(freearg) char*, const char* %{
  if ($1) (*jenv)->ReleaseByteArrayElements(jenv, $input, (jbyte*)$1, JNI_ABORT);
%}

/* Results: the bytes, decoded by Strings.fromC; a failed call returns NULL, which stays null. */
%typemap(out) char*, const char* %{
  if ($1 && !(*jenv)->ExceptionCheck(jenv)) {
    jsize length = (jsize)strlen((const char*)$1);
    $result = (*jenv)->NewByteArray(jenv, length);
    if ($result) (*jenv)->SetByteArrayRegion(jenv, $result, 0, length, (const jbyte*)$1);
  }
%}
%typemap(javaout) char*, const char* {
    return Strings.fromC($jnicall);
  }

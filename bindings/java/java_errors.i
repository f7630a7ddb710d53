/*
 * Java error mapping: every wrapped call clears the thread's outcome, runs, and when the outcome is
 * a failure raises org.s4seg.S4SegException(code, C message) inside the same native call.
 *
 * The exception is only made pending here; the wrapper then runs on to its argout/freearg code,
 * which releases the Java arrays it borrowed (copying output arrays back). A `return` at this point
 * would skip that release and leak every borrowed array on each failing call. JNI allows array
 * release calls with an exception pending, and the typemaps that run after this block make no other
 * JNI calls when the call failed (see the char* out typemap in java_strings.i).
 */

%{
/* Decodes UTF-8 into UTF-16 for NewString: the C messages may quote user paths, which need not
 * be the modified UTF-8 that NewStringUTF requires (see java_strings.i). Invalid sequences become
 * U+FFFD. */
static jstring s4b_java_string(JNIEnv* jenv, const char* text) {
  const unsigned char* in = (const unsigned char*)text;
  size_t length = strlen(text), count = 0, i = 0;
  jchar* units = (jchar*)malloc((length + 1) * sizeof *units); /* never more units than bytes */
  jstring result;
  if (!units) return (*jenv)->NewStringUTF(jenv, "(message lost: out of memory)");
  while (i < length) {
    unsigned char lead = in[i++];
    /* The lead byte says how many continuation bytes follow (0 to 3) and gives the top bits. */
    int extra = (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : 0;
    unsigned long point = extra ? (unsigned long)(lead & (0x3F >> extra)) : (lead < 0x80 ? lead : 0xFFFD);
    for (; extra > 0; --extra) {
      if (i >= length || (in[i] & 0xC0) != 0x80) {
        point = 0xFFFD;
        break;
      }
      point = (point << 6) | (in[i++] & 0x3F);
    }
    if (point > 0x10FFFF) point = 0xFFFD;
    if (point >= 0x10000) {
      units[count++] = (jchar)(0xD800 + ((point - 0x10000) >> 10));
      units[count++] = (jchar)(0xDC00 + ((point - 0x10000) & 0x3FF));
    } else {
      units[count++] = (jchar)point;
    }
  }
  result = (*jenv)->NewString(jenv, units, (jsize)count);
  free(units);
  return result;
}

/* Makes org.s4seg.S4SegException(status, message) pending on this thread. */
static void s4b_java_throw(JNIEnv* jenv, int status, const char* message) {
  jclass type = (*jenv)->FindClass(jenv, "org/s4seg/S4SegException");
  jmethodID constructor;
  jstring text;
  jobject exception;
  if (!type) return; /* NoClassDefFoundError is pending instead */
  constructor = (*jenv)->GetMethodID(jenv, type, "<init>", "(ILjava/lang/String;)V");
  text = constructor ? s4b_java_string(jenv, message) : NULL;
  exception = text ? (*jenv)->NewObject(jenv, type, constructor, (jint)status, text) : NULL;
  if (exception) (*jenv)->Throw(jenv, (jthrowable)exception);
  (*jenv)->DeleteLocalRef(jenv, exception);
  (*jenv)->DeleteLocalRef(jenv, text);
  (*jenv)->DeleteLocalRef(jenv, type);
}
%}

%exception {
  s4b_clear();
  $action
  if (s4b_thread_error.status != S4SEG_OK) s4b_java_throw(jenv, s4b_thread_error.status, s4b_thread_error.message);
}

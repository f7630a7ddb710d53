package org.s4seg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Checks on the buffers the bindings hand to C; the sizes themselves are checked in C. */
final class Buffers {
  /** The largest array length every JVM allocates. */
  private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private Buffers() {}

  /**
   * The length of an array for {@code elements} values. Non-positive counts (from invalid image
   * sizes) give 0, so that the native call reports the sizes themselves.
   */
  static int arrayLength(long elements) {
    if (elements <= 0) return 0;
    if (elements > MAX_ARRAY_LENGTH) {
      throw new S4SegException(Status.INVALID_ARGUMENT, elements + " elements do not fit in a Java array");
    }
    return (int) elements;
  }

  /** {@code value}, which C receives as an unsigned 64-bit count, after a check that it is not negative. */
  static long nonNegative(long value, String name) {
    if (value < 0) throw new S4SegException(Status.INVALID_ARGUMENT, name + " is negative: " + value);
    return value;
  }

  /** The remaining bytes of a direct buffer the library reads; null passes through. */
  static ByteBuffer readable(ByteBuffer buffer, String name) {
    if (buffer == null) return null;
    requireDirect(buffer.isDirect(), name);
    return buffer.slice();
  }

  /** The remaining bytes of a direct buffer the library writes; null passes through. */
  static ByteBuffer writable(ByteBuffer buffer, String name) {
    if (buffer == null) return null;
    requireDirect(buffer.isDirect(), name);
    requireWritable(buffer.isReadOnly(), name);
    return buffer.slice();
  }

  /** The remaining floats of a direct, native-order buffer the library writes; null passes through. */
  static FloatBuffer writable(FloatBuffer buffer, String name) {
    if (buffer == null) return null;
    requireDirect(buffer.isDirect(), name);
    requireWritable(buffer.isReadOnly(), name);
    if (buffer.order() != ByteOrder.nativeOrder()) {
      throw new S4SegException(Status.INVALID_ARGUMENT, name + " must use the native byte order (ByteOrder.nativeOrder())");
    }
    return buffer.slice();
  }

  private static void requireDirect(boolean direct, String name) {
    if (!direct) {
      throw new S4SegException(Status.INVALID_ARGUMENT, name + " must be a direct buffer (ByteBuffer.allocateDirect)");
    }
  }

  private static void requireWritable(boolean readOnly, String name) {
    if (readOnly) throw new S4SegException(Status.INVALID_ARGUMENT, name + " is read-only");
  }
}

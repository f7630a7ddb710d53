package org.s4seg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The UTF-8 conversions of strings passed to and from C (see java_strings.i). */
final class Strings {
  private Strings() {}

  /** A NUL-terminated UTF-8 copy of {@code text}; null for null. */
  static byte[] toC(String text) {
    if (text == null) return null;
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(utf8, utf8.length + 1);
  }

  /** The string of C's UTF-8 bytes (without the NUL); null for null. */
  static String fromC(byte[] utf8) {
    return utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8);
  }
}

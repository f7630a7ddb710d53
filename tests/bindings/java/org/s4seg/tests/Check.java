package org.s4seg.tests;

import java.util.Arrays;

import org.s4seg.S4SegException;
import org.s4seg.Status;

/** Assertions (there is no JUnit offline); each failure throws AssertionError with the reason. */
final class Check {
  private Check() {}

  /** A call expected to throw. */
  interface Call {
    void run() throws Exception;
  }

  static void isTrue(boolean condition, String what) {
    if (!condition) throw new AssertionError(what);
  }

  static void equal(Object expected, Object actual, String what) {
    boolean same = expected == null ? actual == null : expected.equals(actual);
    if (!same) throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
  }

  static void equal(long expected, long actual, String what) {
    if (expected != actual) throw new AssertionError(what + ": expected " + expected + " but was " + actual);
  }

  static void near(double expected, double actual, double tolerance, String what) {
    if (!(Math.abs(expected - actual) <= tolerance)) {
      throw new AssertionError(what + ": expected " + expected + " ± " + tolerance + " but was " + actual);
    }
  }

  static void inRange(double low, double high, double actual, String what) {
    if (!(actual >= low && actual <= high)) {
      throw new AssertionError(what + ": " + actual + " is outside [" + low + ", " + high + "]");
    }
  }

  static void sameBytes(byte[] expected, byte[] actual, String what) {
    if (!Arrays.equals(expected, actual)) throw new AssertionError(what + ": byte arrays differ");
  }

  static void contains(String text, String part, String what) {
    if (text == null || !text.contains(part)) {
      throw new AssertionError(what + ": <" + text + "> does not contain <" + part + ">");
    }
  }

  /** Runs {@code call}, which must throw S4SegException with {@code status}; returns it. */
  static S4SegException fails(Status status, Call call) {
    try {
      call.run();
    } catch (S4SegException e) {
      if (e.getStatus() != status) {
        throw new AssertionError("expected " + status + " but got " + e.getStatus() + ": " + e.getMessage(), e);
      }
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected S4SegException(" + status + ") but got " + e, e);
    }
    throw new AssertionError("expected S4SegException(" + status + ") but nothing was thrown");
  }
}

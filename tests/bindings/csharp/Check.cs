using System;
using System.Collections.Generic;

namespace S4Seg.Tests {

/// <summary>A failed check, with what was expected and what was found.</summary>
sealed class CheckFailedException : Exception {
  public CheckFailedException(string message) : base(message) {
  }
}

/// <summary>The assertions of the tests.</summary>
static class Check {
  public static void True(bool condition, string what) {
    if (!condition) throw new CheckFailedException(what);
  }

  public static void Equal<T>(T expected, T actual, string what) {
    if (!EqualityComparer<T>.Default.Equals(expected, actual))
      throw new CheckFailedException($"{what}: expected <{expected}>, got <{actual}>");
  }

  public static void Near(double expected, double actual, double tolerance, string what) {
    if (!(Math.Abs(expected - actual) <= tolerance))
      throw new CheckFailedException($"{what}: expected {expected} ± {tolerance}, got {actual}");
  }

  public static void InRange(double low, double high, double actual, string what) {
    if (!(actual >= low && actual <= high))
      throw new CheckFailedException($"{what}: expected a value in [{low}, {high}], got {actual}");
  }

  public static void SameElements<T>(T[] expected, T[] actual, string what) {
    Equal(expected.Length, actual.Length, what + " length");
    for (int i = 0; i < expected.Length; ++i)
      if (!EqualityComparer<T>.Default.Equals(expected[i], actual[i]))
        throw new CheckFailedException($"{what}: element {i} expected <{expected[i]}>, got <{actual[i]}>");
  }

  /// <summary>Runs <paramref name="call"/>, which must throw an S4SegException with
  /// <paramref name="status"/> and a message containing <paramref name="messagePart"/>
  /// (case-insensitive); returns it.</summary>
  public static S4SegException Throws(Status status, string messagePart, Action call) {
    try {
      call();
    } catch (S4SegException e) {
      Equal(status, e.Status, $"status of \"{e.Message}\"");
      Equal((int)status, e.Code, "code");
      True(e.Message.IndexOf(messagePart, StringComparison.OrdinalIgnoreCase) >= 0,
           $"message \"{e.Message}\" should contain \"{messagePart}\"");
      return e;
    }
    throw new CheckFailedException($"expected an S4SegException ({status}), none was thrown");
  }
}

}

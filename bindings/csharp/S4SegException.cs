using System;

namespace S4Seg {

/// <summary>
/// A failed s4seg call: the C status (<see cref="Status"/>, raw <see cref="Code"/>) and the C
/// library's message. Every method, constructor and property of this binding throws it, from the
/// native call itself, on the thread that made the call.
/// </summary>
public class S4SegException : Exception {
  /// <summary>An error with a known status.</summary>
  public S4SegException(Status status, string message) : base(message) {
    Status = status;
    Code = (int)status;
  }

  /// <summary>An error with a raw C status code; codes this binding does not know map to <see cref="S4Seg.Status.Unknown"/>.</summary>
  public S4SegException(int code, string message) : base(message) {
    Code = code;
    Status = code > 0 && Enum.IsDefined(typeof(Status), code) ? (Status)code : Status.Unknown;
  }

  /// <summary>The status, or <see cref="S4Seg.Status.Unknown"/> for a code newer than this binding.</summary>
  public Status Status { get; }

  /// <summary>The raw C status code (<c>s4seg_status</c>).</summary>
  public int Code { get; }
}

}

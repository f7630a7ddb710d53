package org.s4seg;

/**
 * The status codes of the C library (s4seg_status), plus UNKNOWN for a code this version of the
 * bindings does not know. The names are those of s4seg_status_string().
 */
public enum Status {
  /** Success; never carried by an exception. */
  OK(0),
  /** Null where a value is needed; size, range or key errors. */
  INVALID_ARGUMENT(1),
  /** A host or device allocation failed; the object is still usable. */
  OUT_OF_MEMORY(2),
  /** A file is missing, unreadable or unwritable. */
  IO(3),
  /** A file exists but is truncated, corrupt or of another kind. */
  FORMAT(4),
  /** A valid request this build or version cannot do. */
  UNSUPPORTED(5),
  /** The requested device is unavailable or failed. */
  DEVICE(6),
  /** Trainer.cancel() stopped the call. */
  CANCELLED(7),
  /** The loss became NaN or infinite; the step was not applied. */
  DIVERGED(8),
  /** The call is not valid now: a closed object, training already finished ... */
  STATE(9),
  /** A bug in s4seg; the message says where. */
  INTERNAL(10),
  /** A caller buffer is too small. */
  BUFFER_TOO_SMALL(11),
  /** A code this version of the bindings does not know. */
  UNKNOWN(-1);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The C value of this status (-1 for UNKNOWN). */
  public int code() {
    return code;
  }

  /** The status with C value {@code code}, or UNKNOWN. */
  public static Status fromCode(int code) {
    for (Status status : values()) {
      if (status.code == code) return status;
    }
    return UNKNOWN;
  }
}

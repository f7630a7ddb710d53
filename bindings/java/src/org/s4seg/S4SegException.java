package org.s4seg;

/**
 * A failed s4seg call: the C library's status code and message. Every method of the bindings
 * throws it instead of returning a status.
 */
public class S4SegException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String detail;

  /** An error with C status {@code code} and the library's message (the JNI layer raises these). */
  public S4SegException(int code, String message) {
    super(describe(code, message));
    this.code = code;
    this.detail = message;
  }

  /** An error raised by the Java layer itself. */
  public S4SegException(Status status, String message) {
    this(status.code(), message);
  }

  /** The C status code (see {@link Status}). */
  public int getCode() {
    return code;
  }

  /** The status as an enum; UNKNOWN for a code this version does not know. */
  public Status getStatus() {
    return Status.fromCode(code);
  }

  /** The library's message without the status prefix that getMessage() adds. */
  public String getDetail() {
    return detail;
  }

  private static String describe(int code, String message) {
    Status status = Status.fromCode(code);
    String name = status == Status.UNKNOWN ? "UNKNOWN(" + code + ")" : status.name();
    return name + ": " + message;
  }
}

namespace S4Seg {

/// <summary>
/// Status codes of the s4seg C API (<c>s4seg_status</c>), carried by <see cref="S4SegException"/>.
/// Values match the C enum; <see cref="Unknown"/> stands for a code newer than this binding.
/// </summary>
public enum Status {
  /// <summary>A code this binding does not know (the library is newer); see <see cref="S4SegException.Code"/>.</summary>
  Unknown = -1,
  /// <summary>Success; never carried by an exception.</summary>
  Ok = 0,
  /// <summary>A null where a value is needed, or a size, range or key error.</summary>
  InvalidArgument = 1,
  /// <summary>A host or device allocation failed; the object is still usable.</summary>
  OutOfMemory = 2,
  /// <summary>A file is missing, unreadable or unwritable.</summary>
  Io = 3,
  /// <summary>A file exists but is truncated, corrupt or of another kind.</summary>
  Format = 4,
  /// <summary>A valid request that this build or version cannot do.</summary>
  Unsupported = 5,
  /// <summary>The requested device is unavailable or failed.</summary>
  Device = 6,
  /// <summary>A training step was stopped by <see cref="Trainer.Cancel"/>.</summary>
  Cancelled = 7,
  /// <summary>The loss became NaN or infinite; the step was not applied.</summary>
  Diverged = 8,
  /// <summary>The call is not valid now: the object is closed, or training already finished.</summary>
  State = 9,
  /// <summary>A bug in s4seg; the message says where.</summary>
  Internal = 10,
  /// <summary>A caller buffer is too small.</summary>
  BufferTooSmall = 11
}

}

package org.s4seg;

/** One training method of the library's registry (see S4Seg.methods()): a train.method value. */
public final class MethodInfo {
  private final String name;
  private final String summary;
  private final long flags;

  /** Reads method `index` of the registry. */
  MethodInfo(long index) {
    name = S4SegNative.s4bMethodName(index);
    summary = S4SegNative.s4bMethodSummary(index);
    flags = S4SegNative.s4bMethodFlags(index);
  }

  /** The train.method value, e.g. "fixmatch". */
  public String name() {
    return name;
  }

  /** One line saying what the method does. */
  public String summary() {
    return summary;
  }

  /** Whether the method learns from unlabeled images (a trainer then needs an unlabeled dataset). */
  public boolean usesUnlabeled() {
    return (flags & 1) != 0;
  }

  /** Whether train.read_every above 1 is allowed (the method can skip an update on the device). */
  public boolean skipsOnDevice() {
    return (flags & 2) != 0;
  }

  /** Whether the method may run data parallel (dist.world above 1). */
  public boolean dataParallel() {
    return (flags & 4) != 0;
  }

  /** Whether an EMA teacher labels the unlabeled images (the model handle then holds the teacher). */
  public boolean meanTeacher() {
    return (flags & 8) != 0;
  }

  @Override
  public String toString() {
    return name + ": " + summary;
  }
}

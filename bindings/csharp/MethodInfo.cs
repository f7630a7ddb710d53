namespace S4Seg {

/// <summary>
/// One training method of the library's registry (<see cref="S4SegLibrary.Methods"/>): a
/// train.method value, a one-line summary and what the method can do. Immutable.
/// </summary>
public sealed class MethodInfo {
  internal MethodInfo(string name, string summary, long flags) {
    Name = name;
    Summary = summary;
    UsesUnlabeled = (flags & 1) != 0;
    SkipsOnDevice = (flags & 2) != 0;
    DataParallel = (flags & 4) != 0;
    MeanTeacher = (flags & 8) != 0;
  }

  /// <summary>The train.method value, e.g. "fixmatch".</summary>
  public string Name { get; }
  /// <summary>One line saying what the method does.</summary>
  public string Summary { get; }
  /// <summary>Learns from unlabeled images (a trainer then needs an unlabeled dataset).</summary>
  public bool UsesUnlabeled { get; }
  /// <summary>train.read_every above 1 is allowed (the method can skip an update on the device).</summary>
  public bool SkipsOnDevice { get; }
  /// <summary>May run data parallel (dist.world above 1).</summary>
  public bool DataParallel { get; }
  /// <summary>An EMA teacher labels the unlabeled images (the model handle then holds the teacher).</summary>
  public bool MeanTeacher { get; }

  /// <summary>"name: summary".</summary>
  public override string ToString() => Name + ": " + Summary;
}

}

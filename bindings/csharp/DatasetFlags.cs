namespace S4Seg {

/// <summary>Options of <see cref="Dataset.AddLayout(Layout, string, string, DatasetFlags)"/> (the C
/// flags S4SEG_DATASET_*).</summary>
[System.Flags]
public enum DatasetFlags : uint {
  /// <summary>Masks are checked now and read with their images.</summary>
  None = 0,
  /// <summary>The masks a split names are neither checked nor read, and the samples have none (the
  /// unlabeled splits of the UniMatch-family codebases name masks that may not exist).</summary>
  IgnoreMasks = 1,
}

}

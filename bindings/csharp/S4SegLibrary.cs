using System.Collections.Generic;

namespace S4Seg {

/// <summary>
/// Library-wide information and operations: versions, devices, the configuration key registry.
/// Thread safety: every member may be called from any thread.
/// </summary>
public static class S4SegLibrary {
  /// <summary>Version of the native library, "MAJOR.MINOR.PATCH".</summary>
  public static string Version => s4seg.Version();

  /// <summary>Version of the LibTorch the native library was built against.</summary>
  public static string BackendVersion => s4seg.BackendVersion();

  /// <summary>True when at least one CUDA device can be used.</summary>
  public static bool CudaAvailable => s4seg.CudaAvailable() != 0;

  /// <summary>A human-readable description of the compute devices (CPU threads, CUDA devices or
  /// why CUDA is unavailable).</summary>
  public static string DeviceInfo() => s4seg.DeviceInfo();

  /// <summary>Returns cached, unused GPU memory to the driver; does nothing without CUDA.</summary>
  public static void ReleaseCachedMemory() => s4seg.ReleaseCachedMemory();

  /// <summary>Bytes of device memory in use now ("cpu", "cuda", "cuda:N"; null = "auto").</summary>
  public static ulong DeviceMemoryCurrent(string device) => s4seg.DeviceMemoryCurrent(device);

  /// <summary>Peak bytes of device memory since the last DeviceResetPeakMemory.</summary>
  public static ulong DeviceMemoryPeak(string device) => s4seg.DeviceMemoryPeak(device);

  /// <summary>Starts a new peak for DeviceMemoryPeak.</summary>
  public static void DeviceResetPeakMemory(string device) => s4seg.DeviceResetPeakMemory(device);

  /// <summary>English name of a status, e.g. "INVALID_ARGUMENT".</summary>
  public static string StatusName(Status status) => s4seg.StatusName(status);

  /// <summary>Every configuration key, in registry order.</summary>
  public static IReadOnlyList<ConfigKey> ConfigKeys() {
    long count = s4seg.ConfigKeyCount();
    var keys = new List<ConfigKey>((int)count);
    for (long i = 0; i < count; ++i) {
      keys.Add(new ConfigKey(s4seg.ConfigKeyName(i), (ConfigValueType)s4seg.ConfigKeyType(i), s4seg.ConfigKeyDefault(i),
                             s4seg.ConfigKeyAllowed(i), s4seg.ConfigKeyDoc(i)));
    }
    return keys.AsReadOnly();
  }

  /// <summary>The training methods (the values of train.method), in registry order: the built-in
  /// ones first.</summary>
  public static IReadOnlyList<MethodInfo> Methods() {
    long count = s4seg.MethodCount();
    var methods = new List<MethodInfo>((int)count);
    for (long i = 0; i < count; ++i) methods.Add(new MethodInfo(s4seg.MethodName(i), s4seg.MethodSummary(i), s4seg.MethodFlags(i)));
    return methods.AsReadOnly();
  }

  /// <summary>Writes an image of <paramref name="channels"/> (1 or 3) channels, rows without
  /// padding, as a PNG file.</summary>
  public static void SavePng(string path, byte[] image, int width, int height, int channels) =>
      s4seg.SavePng(path, image, width, height, channels);
}

}

package org.s4seg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Library-wide functions: versions, devices and the registry of configuration keys. */
public final class S4Seg {
  /** Built on first use; the registry is fixed for the life of the library. */
  private static volatile List<ConfigKey> configKeys;

  private S4Seg() {}

  /** The library version, "major.minor.patch". */
  public static String version() {
    return S4SegNative.s4bVersion();
  }

  /** The LibTorch version the library was built with. */
  public static String backendVersion() {
    return S4SegNative.s4bBackendVersion();
  }

  /** A human-readable description of the available devices. */
  public static String deviceInfo() {
    return S4SegNative.s4bDeviceInfo();
  }

  /** Whether a CUDA device is usable. */
  public static boolean cudaAvailable() {
    return S4SegNative.s4bCudaAvailable() != 0;
  }

  /** Returns cached, unused GPU memory to the driver (nothing to do without CUDA). */
  public static void releaseCachedMemory() {
    S4SegNative.s4bReleaseCachedMemory();
  }

  /** Bytes of device memory in use now ("cpu", "cuda", "cuda:N"; null = "auto"). */
  public static long deviceMemoryCurrent(String device) {
    return S4SegNative.s4bDeviceMemoryCurrent(device).longValue();
  }

  /** Peak bytes of device memory since the last {@link #deviceResetPeakMemory}. */
  public static long deviceMemoryPeak(String device) {
    return S4SegNative.s4bDeviceMemoryPeak(device).longValue();
  }

  /** Starts a new peak for {@link #deviceMemoryPeak}. */
  public static void deviceResetPeakMemory(String device) {
    S4SegNative.s4bDeviceResetPeakMemory(device);
  }

  /** The C library's name for a status code ("INVALID_ARGUMENT" ..., "UNKNOWN" for others). */
  public static String statusName(int code) {
    return S4SegNative.s4bStatusName(code);
  }

  /** Every configuration key with its type, default, allowed values and documentation. */
  public static List<ConfigKey> configKeys() {
    List<ConfigKey> keys = configKeys;
    if (keys == null) {
      long count = S4SegNative.s4bConfigKeyCount();
      List<ConfigKey> read = new ArrayList<>();
      for (long i = 0; i < count; ++i) {
        read.add(new ConfigKey(S4SegNative.s4bConfigKeyName(i), ValueType.swigToEnum(S4SegNative.s4bConfigKeyType(i)),
            S4SegNative.s4bConfigKeyDefault(i), S4SegNative.s4bConfigKeyAllowed(i), S4SegNative.s4bConfigKeyDoc(i)));
      }
      keys = Collections.unmodifiableList(read);
      configKeys = keys;
    }
    return keys;
  }

  /** The training methods (the values of train.method), in registry order: the built-in ones first. */
  public static List<MethodInfo> methods() {
    long count = S4SegNative.s4bMethodCount();
    List<MethodInfo> read = new ArrayList<>();
    for (long i = 0; i < count; ++i) {
      read.add(new MethodInfo(i));
    }
    return Collections.unmodifiableList(read);
  }

  /** Writes width x height x channels bytes (1 or 3 channels, rows without padding) as a PNG file. */
  public static void savePng(String path, byte[] image, int width, int height, int channels) {
    S4SegNative.s4bSavePng(path, image, width, height, channels);
  }
}

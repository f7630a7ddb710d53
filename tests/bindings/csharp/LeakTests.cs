using System;
using System.IO;

namespace S4Seg.Tests {

/// <summary>Native memory: creating and disposing models must not grow the process.</summary>
static class LeakTests {
  const int WarmUpModels = 50;
  const int Models = 1000;
  const long AllowedGrowthBytes = 20L << 20;

  [Test]
  public static void CreatingAndDisposing1000ModelsLeaksNoNativeMemory() {
    using (var config = Tiny.Config()) {
      for (int i = 0; i < WarmUpModels; ++i) using (new Model(config)) {}
      long before = ResidentBytes();
      for (int i = 0; i < Models; ++i) using (new Model(config)) {}
      long after = ResidentBytes();
      Console.WriteLine($"  resident set: {Mb(before)} MB after {WarmUpModels} warm-up models, {Mb(after)} MB after {Models} more" +
                        $" (growth {Mb(after - before)} MB, allowed {Mb(AllowedGrowthBytes)} MB)");
      Check.True(after - before < AllowedGrowthBytes, "resident set growth stays under the allowance");
    }
  }

  /// <summary>Resident set size, after the collector ran (/proc/self/statm, in pages).</summary>
  static long ResidentBytes() {
    GC.Collect();
    GC.WaitForPendingFinalizers();
    string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
    return long.Parse(fields[1]) * Environment.SystemPageSize;
  }

  static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1");
}

}

using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace S4Seg.Tests {

/// <summary>S4SegLibrary: versions, devices, the key registry.</summary>
static class LibraryTests {
  [Test]
  public static void VersionsAreReported() {
    Check.True(Regex.IsMatch(S4SegLibrary.Version, @"^\d+\.\d+\.\d+$"), $"version \"{S4SegLibrary.Version}\" is MAJOR.MINOR.PATCH");
    Check.True(S4SegLibrary.BackendVersion.Length > 0, "the LibTorch version is reported");
  }

  [Test]
  public static void DeviceInfoDescribesTheCpuAndCuda() {
    string info = S4SegLibrary.DeviceInfo();
    Check.True(info.Contains("cpu"), $"device info \"{info}\" describes the CPU");
    Check.True(info.Contains("cuda"), $"device info \"{info}\" says whether CUDA is available");
    Check.True(info.Contains("cuda: support compiled in") || info.Contains("cuda: support not compiled in"),
               $"device info \"{info}\" says whether this build has CUDA");
    if (!S4SegLibrary.CudaAvailable)
      Check.True(info.Contains("cuda: support not compiled in: ") || info.Contains("cuda: no usable device: "),
                 $"without CUDA the info \"{info}\" says why");
    S4SegLibrary.ReleaseCachedMemory();  // a no-op without CUDA, and safe with it
  }

  [Test]
  public static void MethodsListTheRegistry() {
    var methods = S4SegLibrary.Methods();
    Check.True(methods.Count >= 6, $"the registry lists its methods ({methods.Count})");
    Check.Equal("supervised", methods[0].Name, "first method");
    Check.True(!methods[0].UsesUnlabeled && methods[1].UsesUnlabeled, "supervised vs fixmatch");
    var rrn = methods.Single(m => m.Name == "rrn");
    Check.True(!rrn.SkipsOnDevice && !rrn.MeanTeacher && rrn.Summary.Length > 0, "rrn's flags and summary");
  }

  [Test]
  public static void ConfigKeysDescribeTheRegistry() {
    var keys = S4SegLibrary.ConfigKeys();
    Check.True(keys.Count > 10, $"the registry lists its keys ({keys.Count})");
    var classes = keys.Single(key => key.Name == "model.num_classes");
    Check.Equal(ConfigValueType.Int, classes.Type, "type of model.num_classes");
    Check.Equal(ConfigValueType.String, keys.Single(key => key.Name == "model.backbone").Type, "type of model.backbone");
    Check.Equal(ConfigValueType.Bool, keys.Single(key => key.Name == "train.flip").Type, "type of train.flip");
    Check.Equal(ConfigValueType.Double, keys.Single(key => key.Name == "train.lr").Type, "type of train.lr");
    Check.True(classes.Doc.Length > 0 && classes.Allowed.Length > 0, "keys carry documentation and allowed values");
    using (var config = new Config()) {
      foreach (var key in keys) {
        // Doubles read back at full precision ("0.10000000000000001" for a default of "0.1").
        if (key.Type == ConfigValueType.Double)
          Check.Equal(double.Parse(key.Default, CultureInfo.InvariantCulture), config.GetDouble(key.Name), "default of " + key.Name);
        else
          Check.Equal(key.Default, config.GetString(key.Name), "default of " + key.Name);
      }
    }
  }

  [Test]
  public static void StatusNamesMatchTheCApi() {
    Check.Equal("INVALID_ARGUMENT", S4SegLibrary.StatusName(Status.InvalidArgument), "name of InvalidArgument");
    Check.Equal("BUFFER_TOO_SMALL", S4SegLibrary.StatusName(Status.BufferTooSmall), "name of BufferTooSmall");
    Check.Equal("UNKNOWN", S4SegLibrary.StatusName(Status.Unknown), "name of Unknown");
  }
}

}

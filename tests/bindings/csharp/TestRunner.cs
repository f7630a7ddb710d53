// A NUnit-free test runner for the C# binding: runs every [Test] method of this assembly, prints
// PASS/FAIL per test and exits non-zero when any failed.
//   usage: mono S4SegTests.exe TEMP_PARENT [TEST_NAME...]
// Each test gets a fresh folder under TEMP_PARENT (TestRunner.TempFolder), removed afterwards.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace S4Seg.Tests {

/// <summary>Marks a public static, parameterless method as a test.</summary>
[AttributeUsage(AttributeTargets.Method)]
sealed class TestAttribute : Attribute {
}

static class TestRunner {
  /// <summary>The running test's private folder.</summary>
  public static string TempFolder { get; private set; }

  static int Main(string[] args) {
    if (args.Length < 1) {
      Console.Error.WriteLine("usage: S4SegTests.exe TEMP_PARENT [TEST_NAME...]");
      return 2;
    }
    string parent = Path.Combine(args[0], "csharp-tests-" + Process.GetCurrentProcess().Id);
    var wanted = args.Skip(1).ToArray();
    var tests = typeof(TestRunner).Assembly.GetTypes()
                    .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
                    .Where(method => method.GetCustomAttribute<TestAttribute>() != null)
                    .Where(method => wanted.Length == 0 || wanted.Contains(method.Name) || wanted.Contains(method.DeclaringType.Name))
                    .OrderBy(method => method.DeclaringType.Name).ThenBy(method => method.MetadataToken)
                    .ToList();
    if (tests.Count == 0) {
      Console.Error.WriteLine("no test matches " + string.Join(" ", wanted));
      return 2;
    }

    int failed = 0;
    var total = Stopwatch.StartNew();
    foreach (var test in tests) {
      string name = test.DeclaringType.Name + "." + test.Name;
      TempFolder = Path.Combine(parent, test.Name);
      Directory.CreateDirectory(TempFolder);
      var watch = Stopwatch.StartNew();
      try {
        test.Invoke(null, null);
        Console.WriteLine($"PASS {name} ({watch.ElapsedMilliseconds} ms)");
      } catch (TargetInvocationException e) {
        ++failed;
        Console.WriteLine($"FAIL {name} ({watch.ElapsedMilliseconds} ms)\n  {e.InnerException}");
      } finally {
        Directory.Delete(TempFolder, true);
      }
    }
    Directory.Delete(parent, true);
    Console.WriteLine($"{tests.Count - failed} passed, {failed} failed, {tests.Count} tests in {total.Elapsed.TotalSeconds:F1} s");
    return failed == 0 ? 0 : 1;
  }
}

}

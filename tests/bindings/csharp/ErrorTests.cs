using System;
using System.Threading;

namespace S4Seg.Tests {

/// <summary>How failures reach C#: S4SegException with the C status and message, on the right thread.</summary>
static class ErrorTests {
  [Test]
  public static void ExceptionsCarryTheCStatusAndMessage() {
    using (var config = new Config()) {
      S4SegException error = Check.Throws(Status.InvalidArgument, "unknown config key 'no.such.key'", () => config.GetInt("no.such.key"));
      Check.Equal(1, error.Code, "C code of INVALID_ARGUMENT");
      Check.True(error is Exception, "S4SegException is an ordinary exception");
    }
  }

  [Test]
  public static void UnknownCodesMapToUnknown() {
    var error = new S4SegException(99, "from a newer library");
    Check.Equal(Status.Unknown, error.Status, "status of code 99");
    Check.Equal(99, error.Code, "raw code");
    Check.Equal(Status.Io, new S4SegException(3, "io").Status, "status of code 3");
  }

  [Test]
  public static void AFailureDoesNotLeakIntoTheNextCall() {
    using (var config = new Config()) {
      Check.Throws(Status.InvalidArgument, "", () => config.SetInt("no.such.key", 1));
      config.SetInt("model.width", 16);
      Check.Equal(16L, config.GetInt("model.width"), "the call after a failure succeeds");
    }
  }

  [Test]
  public static void ErrorsStayOnTheThreadThatCausedThem() {
    const int Rounds = 500;
    using (var config = new Config()) {
      Exception workerFailure = null;
      int workerErrors = 0;
      var worker = new Thread(() => {
        try {
          for (int i = 0; i < Rounds; ++i) {
            try {
              config.GetInt("no.such.key");
            } catch (S4SegException) {
              ++workerErrors;
            }
          }
        } catch (Exception e) {
          workerFailure = e;
        }
      });
      worker.Start();
      for (int i = 0; i < Rounds; ++i) Check.Equal(2L, config.GetInt("model.num_classes"), "reads on the main thread");
      worker.Join();
      Check.Equal(null, workerFailure, "the worker saw only S4SegExceptions");
      Check.Equal(Rounds, workerErrors, "every failing call on the worker threw there");
    }
  }
}

}

using System.Linq;

namespace S4Seg.Tests {

/// <summary>Labeler: filtered pseudo-labels and their counts.</summary>
static class LabelerTests {
  [Test]
  public static void LabelGivesFilteredLabelsAndCounts() {
    byte[] pixels = Tiny.Pixels();
    int pixelCount = Tiny.Side * Tiny.Side;
    using (var model = Tiny.TrainedModel())
    using (var labeler = new Labeler(model)) {
      LabelResult result = labeler.Label(pixels, Tiny.Side, Tiny.Side, 3);
      Check.Equal(pixelCount, result.Labels.Length, "labels per image");
      Check.Equal(pixelCount, result.Confidence.Length, "confidences per image");
      Check.True(result.Labels.All(label => label < Tiny.Classes || label == 255), "labels are classes or 255");
      Check.Equal(Tiny.Classes, result.Predicted.Length, "predicted counts per class");
      Check.Equal((ulong)pixelCount, result.Predicted.Aggregate(0UL, (sum, n) => sum + n), "every pixel is predicted once");
      Check.True(result.Kept.Zip(result.Predicted, (kept, predicted) => kept <= predicted).All(ok => ok), "kept <= predicted per class");
      Check.Equal((ulong)result.Labels.Count(label => label != 255), result.Kept.Aggregate(0UL, (sum, n) => sum + n),
                  "kept counts match the labels left");
    }
  }

  [Test]
  public static void RunIntoChecksItsBuffers() {
    byte[] pixels = Tiny.Pixels();
    int pixelCount = Tiny.Side * Tiny.Side;
    using (var model = Tiny.UntrainedModel())
    using (var config = new Config()) {
      config.SetString("pseudo.filter", "none");
      using (var labeler = new Labeler(model, config)) {
        var labels = new byte[pixelCount];
        labeler.RunInto(pixels, Tiny.Side, Tiny.Side, 3, labels, null, null, null);
        Check.True(labels.All(label => label < Tiny.Classes), "without a filter every pixel keeps its label");
        Check.Throws(Status.InvalidArgument, "label buffer has 5 elements",
                     () => labeler.RunInto(pixels, Tiny.Side, Tiny.Side, 3, new byte[5], null, null, null));
        Check.Throws(Status.InvalidArgument, "differ in length",
                     () => labeler.RunInto(pixels, Tiny.Side, Tiny.Side, 3, labels, null, new ulong[3], new ulong[4]));
        Check.Throws(Status.BufferTooSmall, "num_classes",
                     () => labeler.RunInto(pixels, Tiny.Side, Tiny.Side, 3, labels, null, new ulong[2], null));
      }
    }
  }
}

}

using System.Collections.Generic;

namespace S4Seg {

/// <summary>Scores of a model on a labeled dataset (<see cref="Model.Evaluate"/>). Immutable.</summary>
public sealed class Evaluation {
  /// <summary>From the native layout: mIoU, pixel accuracy, then the IoU of each class.</summary>
  internal Evaluation(double[] scores) {
    Miou = scores[0];
    PixelAccuracy = scores[1];
    var classIou = new double[scores.Length - 2];
    System.Array.Copy(scores, 2, classIou, 0, classIou.Length);
    ClassIou = System.Array.AsReadOnly(classIou);
  }

  /// <summary>Mean IoU over the classes present in ground truth or prediction, in [0, 1].</summary>
  public double Miou { get; }

  /// <summary>Correct pixels over labelled pixels (mask value 255 is ignored), in [0, 1].</summary>
  public double PixelAccuracy { get; }

  /// <summary>IoU of each class; NaN for a class absent from both ground truth and prediction.</summary>
  public IReadOnlyList<double> ClassIou { get; }

  /// <summary>"mIoU=… pixel accuracy=…".</summary>
  public override string ToString() => $"mIoU={Miou:F4} pixel accuracy={PixelAccuracy:F4}";
}

}

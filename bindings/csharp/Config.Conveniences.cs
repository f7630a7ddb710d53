namespace S4Seg {

/// <summary>
/// Typed options by dotted key ("model.backbone", "train.iters", ...), every key at its default
/// until set. Setters reject an unknown key, a wrong type or an out-of-range value with
/// <see cref="Status.InvalidArgument"/> and leave the config unchanged; <see cref="Parse"/> is
/// all-or-nothing. Models and trainers copy the config they are given.
/// Thread safety: reads from several threads at once; writes need exclusive access.
/// Dispose when done (or use <c>using</c>).
/// </summary>
public partial class Config {
}

}

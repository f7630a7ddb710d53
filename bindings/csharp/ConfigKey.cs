namespace S4Seg {

/// <summary>
/// One key of the configuration registry (<see cref="S4SegLibrary.ConfigKeys"/>): its dotted name,
/// value type, default, allowed values and one-line documentation. Immutable.
/// </summary>
public sealed class ConfigKey {
  internal ConfigKey(string name, ConfigValueType type, string defaultValue, string allowed, string doc) {
    Name = name;
    Type = type;
    Default = defaultValue;
    Allowed = allowed;
    Doc = doc;
  }

  /// <summary>Dotted key, e.g. "model.backbone".</summary>
  public string Name { get; }
  /// <summary>Kind of value the key holds.</summary>
  public ConfigValueType Type { get; }
  /// <summary>Default value as text.</summary>
  public string Default { get; }
  /// <summary>Allowed values or range as text.</summary>
  public string Allowed { get; }
  /// <summary>One-line description.</summary>
  public string Doc { get; }

  /// <summary>"name = default".</summary>
  public override string ToString() => Name + " = " + Default;
}

}

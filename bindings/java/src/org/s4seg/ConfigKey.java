package org.s4seg;

/** One entry of the configuration key registry (see S4Seg.configKeys()). */
public final class ConfigKey {
  private final String name;
  private final ValueType type;
  private final String defaultValue;
  private final String allowed;
  private final String doc;

  ConfigKey(String name, ValueType type, String defaultValue, String allowed, String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.allowed = allowed;
    this.doc = doc;
  }

  /** The dotted key, e.g. "train.iters". */
  public String name() {
    return name;
  }

  /** The type of the key's value. */
  public ValueType type() {
    return type;
  }

  /** The default value as text. */
  public String defaultValue() {
    return defaultValue;
  }

  /** The allowed values or range as text ("1..", "ce|ohem", "true|false" ...). */
  public String allowed() {
    return allowed;
  }

  /** One-line documentation. */
  public String doc() {
    return doc;
  }

  @Override
  public String toString() {
    return name + " (" + type + ", default " + defaultValue + ", " + allowed + "): " + doc;
  }
}

package org.s4seg.tests;

import java.util.Map;

import org.s4seg.Config;
import org.s4seg.ConfigKey;
import org.s4seg.Model;
import org.s4seg.S4Seg;
import org.s4seg.Status;
import org.s4seg.ValueType;

/** Config values round trip through every setter and getter. */
final class ConfigTest {
  @Test
  public void typedValuesRoundTrip() {
    try (Config config = new Config()) {
      config.setInt("train.iters", 123);
      config.setDouble("train.lr", 0.125);
      config.setBool("train.nesterov", true);
      config.setString("device", "cpu");
      Check.equal(123, config.getInt("train.iters"), "int");
      Check.near(0.125, config.getDouble("train.lr"), 0, "double");
      Check.equal(true, config.getBool("train.nesterov"), "bool");
      Check.equal("cpu", config.getString("device"), "string");
      Check.equal("123", config.getString("train.iters"), "int as text");
    }
  }

  @Test
  public void textSettersConvertToTheKeyType() {
    try (Config config = new Config()) {
      config.set("model.num_classes", "7");
      Check.equal(7, config.getInt("model.num_classes"), "set(text)");
      config.parse("train.iters = 9\n# a comment\ntrain.batch_size = 3\n");
      Check.equal(9, config.getInt("train.iters"), "parse");
      Check.equal(3, config.getInt("train.batch_size"), "parse");
    }
  }

  @Test
  public void everyKeyAcceptsItsDefaultAsText() {
    try (Config config = new Config()) {
      Map<String, String> values = config.toMap();
      Check.equal(S4Seg.configKeys().size(), values.size(), "toMap size");
      for (ConfigKey key : S4Seg.configKeys()) {
        config.set(key.name(), key.defaultValue());
        Check.equal(values.get(key.name()), config.getString(key.name()), "default of " + key.name() + " set as text");
      }
    }
  }

  @Test
  public void typedGettersMatchTheRegistryTypes() {
    try (Config config = new Config()) {
      for (ConfigKey key : S4Seg.configKeys()) {
        String name = key.name();
        if (key.type() == ValueType.INT) config.getInt(name);
        if (key.type() == ValueType.DOUBLE) config.getDouble(name);
        if (key.type() == ValueType.BOOL) config.getBool(name);
        if (key.type() != ValueType.INT) Check.fails(Status.INVALID_ARGUMENT, () -> config.getInt(name));
      }
    }
  }

  @Test
  public void cloneIsIndependent() {
    try (Config config = new Config()) {
      config.setInt("train.iters", 5);
      try (Config copy = config.clone()) {
        copy.setInt("train.iters", 6);
        Check.equal(5, config.getInt("train.iters"), "original");
        Check.equal(6, copy.getInt("train.iters"), "copy");
      }
    }
  }

  @Test
  public void modelKeepsItsConfig() {
    try (Config config = Fixtures.tinyConfig(); Model model = new Model(config); Config used = model.getConfig()) {
      Check.equal(Fixtures.CLASSES, used.getInt("model.num_classes"), "model.num_classes");
      Check.equal(8, used.getInt("model.width"), "model.width");
    }
  }

  @Test
  public void fromTextIsAllOrNothing() {
    Check.fails(Status.INVALID_ARGUMENT, () -> Config.fromText("train.iters = 5\nno.such.key = 1\n"));
    try (Config config = new Config()) {
      long iters = config.getInt("train.iters");
      Check.fails(Status.INVALID_ARGUMENT, () -> config.parse("train.iters = 5\nno.such.key = 1\n"));
      Check.equal(iters, config.getInt("train.iters"), "train.iters after a failed parse");
    }
  }
}

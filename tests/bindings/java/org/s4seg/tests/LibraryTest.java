package org.s4seg.tests;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.s4seg.ConfigKey;
import org.s4seg.MethodInfo;
import org.s4seg.S4Seg;
import org.s4seg.Status;

/** Module functions through the S4Seg facade, and the Status enum against the C library. */
final class LibraryTest {
  @Test
  public void versionsAreReported() {
    Check.isTrue(S4Seg.version().matches("\\d+\\.\\d+\\.\\d+"), "version " + S4Seg.version());
    Check.isTrue(!S4Seg.backendVersion().isEmpty(), "backend version is empty");
  }

  @Test
  public void deviceFunctionsWork() {
    Check.isTrue(!S4Seg.deviceInfo().isEmpty(), "device info is empty");
    boolean cuda = S4Seg.cudaAvailable();
    S4Seg.releaseCachedMemory();
    Check.equal(cuda, S4Seg.cudaAvailable(), "CUDA availability is stable");
  }

  @Test
  public void statusEnumMatchesTheCLibrary() {
    for (Status status : Status.values()) {
      if (status == Status.UNKNOWN) continue;
      Check.equal(status.name(), S4Seg.statusName(status.code()), "C name of code " + status.code());
      Check.equal(status, Status.fromCode(status.code()), "fromCode(" + status.code() + ")");
    }
    int unknownCode = Status.values().length; // one past the last known code
    Check.equal("UNKNOWN", S4Seg.statusName(unknownCode), "C name of an unknown code");
    Check.equal(Status.UNKNOWN, Status.fromCode(unknownCode), "fromCode of an unknown code");
  }

  @Test
  public void configKeyRegistryIsComplete() {
    List<ConfigKey> keys = S4Seg.configKeys();
    Check.isTrue(keys.size() > 10, "only " + keys.size() + " keys");
    Set<String> names = new HashSet<>();
    for (ConfigKey key : keys) {
      Check.isTrue(names.add(key.name()), "duplicate key " + key.name());
      Check.isTrue(key.type() != null && key.defaultValue() != null && key.allowed() != null && key.doc() != null,
          "incomplete entry " + key);
    }
    Check.isTrue(names.contains("model.num_classes") && names.contains("train.iters"), "well-known keys missing");
  }

  @Test
  public void methodsListTheRegistry() {
    List<MethodInfo> methods = S4Seg.methods();
    Check.isTrue(methods.size() >= 6, "only " + methods.size() + " methods");
    Check.equal("supervised", methods.get(0).name(), "first method");
    Check.isTrue(!methods.get(0).usesUnlabeled() && methods.get(1).usesUnlabeled(), "supervised vs fixmatch");
    for (MethodInfo m : methods) {
      Check.isTrue(!m.summary().isEmpty(), "no summary for " + m.name());
      if (m.name().equals("rrn")) Check.isTrue(!m.skipsOnDevice() && !m.meanTeacher(), "rrn flags");
    }
  }
}

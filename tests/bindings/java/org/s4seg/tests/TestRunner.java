package org.s4seg.tests;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs every @Test method of the test classes (a new instance per test), prints PASS/FAIL with the
 * time of each, and exits non-zero when any failed. Arguments, if given, select tests whose
 * "Class.method" name contains one of them.
 */
public final class TestRunner {
  /** In this order: the leak loop last, so the other tests' allocations are done before it. */
  private static final List<Class<?>> TEST_CLASSES = Arrays.asList(
      LibraryTest.class,
      ConfigTest.class,
      DatasetTest.class,
      ModelTest.class,
      TrainerTest.class,
      LabelerTest.class,
      ErrorTest.class,
      LifetimeTest.class,
      LeakTest.class);

  private TestRunner() {}

  public static void main(String[] args) throws Exception {
    List<String> failed = new ArrayList<>();
    int run = 0;
    long suiteStart = System.nanoTime();
    for (Class<?> type : TEST_CLASSES) {
      for (Method method : testsOf(type)) {
        String name = type.getSimpleName() + "." + method.getName();
        if (!selected(name, args)) continue;
        ++run;
        long start = System.nanoTime();
        Throwable failure = runOne(type, method);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure == null) {
          System.out.printf("PASS %-55s %6.2f s%n", name, seconds);
        } else {
          failed.add(name);
          System.out.printf("FAIL %-55s %6.2f s%n", name, seconds);
          failure.printStackTrace(System.out);
        }
      }
    }
    Fixtures.removeTempFiles();
    System.out.printf("%d tests, %d passed, %d failed in %.1f s%n", run, run - failed.size(), failed.size(),
        (System.nanoTime() - suiteStart) / 1e9);
    if (run == 0) {
      System.out.println("no test matched " + Arrays.toString(args));
      System.exit(1);
    }
    if (!failed.isEmpty()) {
      System.out.println("failed: " + failed);
      System.exit(1);
    }
  }

  private static List<Method> testsOf(Class<?> type) {
    List<Method> tests = new ArrayList<>();
    for (Method method : type.getDeclaredMethods()) {
      if (method.isAnnotationPresent(Test.class)) {
        if (!Modifier.isPublic(method.getModifiers()) || method.getParameterCount() != 0) {
          throw new IllegalStateException(type.getName() + "." + method.getName() + " must be public with no parameters");
        }
        tests.add(method);
      }
    }
    tests.sort(Comparator.comparing(Method::getName)); // reflection order is unspecified
    return tests;
  }

  private static boolean selected(String name, String[] filters) {
    if (filters.length == 0) return true;
    for (String filter : filters) {
      if (name.contains(filter)) return true;
    }
    return false;
  }

  private static Throwable runOne(Class<?> type, Method method) {
    try {
      Object instance = type.getDeclaredConstructor().newInstance();
      method.invoke(instance);
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return e;
    }
  }
}

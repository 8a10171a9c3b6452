package org.vqvae.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JMH benchmark method with one set of its {@code @Param} values, run outside JMH: the fixture
 * is the benchmark class itself, its fields set, its {@code @Setup} and {@code @TearDown} methods
 * called, so that a profile measures exactly the workload that JMH times.
 *
 * @param id the figure id ({@link FigureIds#of})
 * @param benchmark the benchmark class
 * @param method the {@code @Benchmark} method
 * @param params parameter name to value
 */
record BenchWorkload(String id, Class<?> benchmark, Method method, Map<String, String> params) {

    /**
     * Lists every workload of a suite: each benchmark method with each combination of its class's
     * {@code @Param} values ({@code device} fixed to {@code cpu}).
     *
     * @param suite the benchmark classes
     * @return the workloads, in suite order
     */
    static List<BenchWorkload> of(List<Class<?>> suite) {
        List<BenchWorkload> all = new ArrayList<>();
        for (Class<?> c : suite) {
            List<Map<String, String>> combos = List.of(new LinkedHashMap<>());
            for (Field f : paramFields(c)) {
                String[] values = f.getName().equals("device") ? new String[] {"cpu"}
                        : f.getAnnotation(Param.class).value();
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> combo : combos) {
                    for (String v : values) {
                        Map<String, String> m = new LinkedHashMap<>(combo);
                        m.put(f.getName(), v);
                        next.add(m);
                    }
                }
                combos = next;
            }
            Method[] methods = c.getDeclaredMethods();
            Arrays.sort(methods, Comparator.comparing(Method::getName));
            for (Method m : methods) {
                if (m.isAnnotationPresent(Benchmark.class)) {
                    for (Map<String, String> p : combos) {
                        all.add(new BenchWorkload(FigureIds.of(c.getSimpleName(), m.getName(), p), c, m, p));
                    }
                }
            }
        }
        return all;
    }

    private static List<Field> paramFields(Class<?> c) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (f.isAnnotationPresent(Param.class)) {
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    /**
     * Makes the fixture: a new instance of the benchmark with its parameters set and its
     * {@code @Setup} methods called.
     *
     * @return the fixture, for {@link #call} and {@link #tearDown}
     * @throws ReflectiveOperationException if the class cannot be instantiated or set up
     */
    Object setUp() throws ReflectiveOperationException {
        Object fixture = benchmark.getDeclaredConstructor().newInstance();
        for (Field f : paramFields(benchmark)) {
            String v = params.get(f.getName());
            f.setAccessible(true);
            f.set(fixture, f.getType() == int.class ? Integer.valueOf(v) : v);
        }
        invokeAll(fixture, Setup.class);
        return fixture;
    }

    /**
     * Runs the benchmark method once.
     *
     * @param fixture from {@link #setUp}
     * @return its result
     * @throws ReflectiveOperationException if it throws
     */
    Object call(Object fixture) throws ReflectiveOperationException {
        return unwrap(() -> method.invoke(fixture));
    }

    /**
     * Calls the fixture's {@code @TearDown} methods.
     *
     * @param fixture from {@link #setUp}
     * @throws ReflectiveOperationException if one throws
     */
    void tearDown(Object fixture) throws ReflectiveOperationException {
        invokeAll(fixture, TearDown.class);
    }

    private void invokeAll(Object fixture, Class<? extends java.lang.annotation.Annotation> kind)
            throws ReflectiveOperationException {
        for (Method m : benchmark.getMethods()) {
            if (m.isAnnotationPresent(kind)) {
                unwrap(() -> m.invoke(fixture));
            }
        }
    }

    private interface Invocation {
        Object run() throws ReflectiveOperationException;
    }

    /** Rethrows an unchecked exception of the benchmark as itself rather than wrapped. */
    private static Object unwrap(Invocation i) throws ReflectiveOperationException {
        try {
            return i.run();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}

package dev.plume.instrumentation.weave;

import dev.plume.instrumentation.weave.fixtures.ArgumentAdvice;
import dev.plume.instrumentation.weave.fixtures.ConstantAdvice;
import dev.plume.instrumentation.weave.fixtures.ConstantOnlyAdvice;
import dev.plume.instrumentation.weave.fixtures.ConstructorAdvice;
import dev.plume.instrumentation.weave.fixtures.EnterOnlyAdvice;
import dev.plume.instrumentation.weave.fixtures.ExitArgumentsAdvice;
import dev.plume.instrumentation.weave.fixtures.FullAdvice;
import dev.plume.instrumentation.weave.fixtures.PrimitiveAdvice;
import dev.plume.instrumentation.weave.fixtures.Recorder;
import dev.plume.instrumentation.weave.fixtures.ReturnAdvice;
import dev.plume.instrumentation.weave.fixtures.SelfCallingAdvice;
import dev.plume.instrumentation.weave.fixtures.Subject;
import dev.plume.instrumentation.weave.fixtures.UnsupportedAdvice;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.dynamic.DynamicType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plume's weaver against ByteBuddy's own advice, on the same advice and the same methods: each woven class is defined
 * in a fresh loader (so the JVM verifies its stack map frames), every method is called with inputs that take each path,
 * and what it returned or threw, and what the advice recorded, must be the same with either weaver.
 */
class AdviceWeaverTest {
    private static final String SUBJECT = Subject.class.getName();

    @AfterEach
    void reset() {
        Recorder.EVENTS.clear();
        Recorder.failEnter = false;
        Recorder.failExit = false;
    }

    @Test
    void fullAdviceBehavesAsByteBuddysOnEveryInstanceMethod() throws Exception {
        Class<?> plume = plume(FullAdvice.class, (access, name, descriptor) -> (access & 0x0008) == 0
            && !name.equals("<init>"));
        Class<?> byteBuddy = byteBuddy(FullAdvice.class, ElementMatchers.not(ElementMatchers.isStatic())
            .and(ElementMatchers.not(ElementMatchers.isConstructor())));
        List<String> calls = runAll(plume);
        assertEquals(runAll(byteBuddy), calls);
        assertTrue(calls.contains("add(3,4) = 7 [enter add 3, exit add 3000 returned]"), calls::toString);
        assertTrue(calls.contains("fail(1) threw code 1 [enter fail 4, exit fail 4000 threw code 1]"),
            calls::toString);
    }

    @Test
    void advicesThatThrowAreSuppressedAndTheMethodRunsAsWithout() throws Exception {
        Class<?> plume = plume(FullAdvice.class, (access, name, descriptor) -> (access & 0x0008) == 0
            && !name.equals("<init>"));
        Recorder.failEnter = true;
        Recorder.failExit = true;
        List<String> calls = runAll(plume);
        Recorder.failEnter = false;
        Recorder.failExit = false;
        List<String> plain = runAll(Subject.class);
        assertEquals(plain, calls);
    }

    @Test
    void enterAdviceRewritesAnArgumentAndExitReadsItAndTheResult() throws Exception {
        AdviceWeaver.MethodFilter greet = (access, name, descriptor) -> name.equals("greet");
        Class<?> plume = plume(ArgumentAdvice.class, greet);
        Object subject = plume.getConstructor(String.class).newInstance("x");
        assertEquals("hello BOB", plume.getMethod("greet", String.class).invoke(subject, "rewrite:bob"));
        assertEquals("hello nobody", plume.getMethod("greet", String.class).invoke(subject, ""));
        List<String> events = List.copyOf(Recorder.EVENTS);
        assertEquals(List.of("exit BOB -> hello BOB", "exit  -> hello nobody"), events);
        assertEquals(events, replay(byteBuddy(ArgumentAdvice.class, ElementMatchers.named("greet")),
            subjectClass -> {
                Object other = subjectClass.getConstructor(String.class).newInstance("x");
                subjectClass.getMethod("greet", String.class).invoke(other, "rewrite:bob");
                subjectClass.getMethod("greet", String.class).invoke(other, "");
            }));
    }

    @Test
    void exitAdviceReplacesAResultTypedAsObject() throws Exception {
        Class<?> plume = plume(ReturnAdvice.class, (access, name, descriptor) -> name.equals("maybe"));
        Object subject = plume.getConstructor(String.class).newInstance("x");
        assertEquals(List.of("replaced"), plume.getMethod("maybe", boolean.class).invoke(subject, false));
        assertEquals(List.of("x"), plume.getMethod("maybe", boolean.class).invoke(subject, true));
        assertEquals(List.of("result [replaced]", "result [x]"), Recorder.EVENTS);
    }

    @Test
    void wideArgumentsAndResultsOfStaticMethods() throws Exception {
        Class<?> plume = plume(PrimitiveAdvice.class, (access, name, descriptor) -> name.equals("mix"));
        assertEquals(10L, plume.getMethod("mix", long.class, double.class, int.class).invoke(null, 4L, 2.0, 3));
        assertEquals(List.of("mix 4 2.0 10"), Recorder.EVENTS);
    }

    @Test
    void constructorsGetExitAdviceWithTheirObject() throws Exception {
        Class<?> plume = plume(ConstructorAdvice.class, (access, name, descriptor) -> name.equals("<init>"));
        Constructor<?> byCode = plume.getConstructor(int.class);
        byCode.newInstance(5);
        byCode.newInstance(42);
        plume.getConstructor(String.class).newInstance((Object) null);
        List<String> events = List.copyOf(Recorder.EVENTS);
        assertEquals(List.of("constructed positive", "constructed positive", "constructed positive",
            "constructed positive", "constructed none"), events);
        assertEquals(events, replay(byteBuddy(ConstructorAdvice.class, ElementMatchers.isConstructor()), type -> {
            type.getConstructor(int.class).newInstance(5);
            type.getConstructor(int.class).newInstance(42);
            type.getConstructor(String.class).newInstance((Object) null);
        }));
    }

    @Test
    void anEnterResultNobodyReadsIsDroppedAndAThrowingEnterIsSuppressed() throws Exception {
        Class<?> plume = plume(EnterOnlyAdvice.class, (access, name, descriptor) -> name.equals("add"));
        Object subject = plume.getConstructor(String.class).newInstance("x");
        Method add = plume.getMethod("add", int.class, int.class);
        assertEquals(5, add.invoke(subject, 2, 3));
        Recorder.failEnter = true;
        assertEquals(5, add.invoke(subject, 2, 3));
        assertEquals(List.of("enter 2"), Recorder.EVENTS);
    }

    @Test
    void unsupportedAdviceIsRefusedWithTheReason() {
        IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
            () -> InlineAdvice.of(UnsupportedAdvice.class));
        assertTrue(all.getMessage().contains("@Local is not supported"), all.getMessage());
        IllegalArgumentException exitArguments = assertThrows(IllegalArgumentException.class,
            () -> InlineAdvice.of(ExitArgumentsAdvice.class));
        assertTrue(exitArguments.getMessage().contains("@AllArguments is supported in enter advice only"),
            exitArguments.getMessage());
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class,
            () -> InlineAdvice.of(SelfCallingAdvice.class));
        assertTrue(self.getMessage().contains("calls its own class (helper)"), self.getMessage());
    }

    @Test
    void adviceThatDoesNotFitAMethodIsRefused() throws IOException {
        InlineAdvice primitive = InlineAdvice.of(PrimitiveAdvice.class);
        // add(int, int): argument 0 is an int, the advice wants a long
        IllegalArgumentException misfit = assertThrows(IllegalArgumentException.class, () -> AdviceWeaver.rewrite(
            classFile(SUBJECT), primitive, (access, name, descriptor) -> name.equals("add"), null));
        assertTrue(misfit.getMessage().contains("argument 0 of add is int, not long"), misfit.getMessage());
    }

    @Test
    void aClassNoMethodOfWhichIsSelectedIsLeftAlone() throws IOException {
        assertNull(AdviceWeaver.rewrite(classFile(SUBJECT), InlineAdvice.of(FullAdvice.class),
            (access, name, descriptor) -> false, null));
    }

    @Test
    void methodConstantsAndAllArgumentsBehaveAsByteBuddysCustomBindingAndAllArguments() throws Exception {
        // each instance method reads its own constant (here: its name's length)
        Class<?> plume = define(AdviceWeaver.rewrite(classFile(SUBJECT), perMethod(ConstantAdvice.class,
            (access, name, descriptor) -> (access & 0x0008) == 0 && !name.equals("<init>")), null));
        Class<?> byteBuddy = byteBuddyPerMethod(ConstantAdvice.class, false);
        List<String> calls = runAll(plume);
        assertEquals(runAll(byteBuddy), calls);
        assertTrue(calls.contains("add(3,4) = 7 [enter add #3 [3, 4], exit #3 6]"), calls::toString);
        assertTrue(calls.contains("greet(ann) = hello ann [enter greet #5 [ann], exit #5 10]"), calls::toString);
        assertTrue(calls.contains("label() = s [enter label #5 none, exit #5 10]"), calls::toString);
        assertTrue(calls.contains("fail(1) threw code 1 [enter fail #4 [1], exit #4 8 threw code 1]"),
            calls::toString);
    }

    @Test
    void allArgumentsBoxesEveryKindOfArgumentOfAStaticMethod() throws Exception {
        Class<?> plume = define(AdviceWeaver.rewrite(classFile(SUBJECT), perMethod(ConstantAdvice.class,
            (access, name, descriptor) -> name.equals("describe") || name.equals("mix")), null));
        Class<?> byteBuddy = byteBuddyPerMethod(ConstantAdvice.class, true);
        Scenario scenario = type -> {
            type.getMethod("describe", byte.class, short.class, char.class, boolean.class, float.class, long.class,
                double.class, Object.class).invoke(null, (byte) 1, (short) 2, 'c', true, 1.5f, 1L << 40, 2.25, null);
            type.getMethod("mix", long.class, double.class, int.class).invoke(null, 4L, 2.0, 3);
        };
        List<String> events = replay(plume, scenario);
        assertEquals(List.of("enter describe #8 [1, 2, c, true, 1.5, 1099511627776, 2.25, null]", "exit #8 16",
            "enter mix #3 [4, 2.0, 3]", "exit #3 6"), events);
        assertEquals(events, replay(byteBuddy, scenario));
    }

    @Test
    void oneRewriteWeavesEachMethodItsOwnAdviceAndAsksForAConstantOncePerMethodThatReadsOne() throws Exception {
        InlineAdvice constant = InlineAdvice.of(ConstantAdvice.class);
        InlineAdvice plain = InlineAdvice.of(ConstantOnlyAdvice.class);
        InlineAdvice full = InlineAdvice.of(FullAdvice.class);
        List<String> asked = new ArrayList<>();
        Class<?> plume = define(AdviceWeaver.rewrite(classFile(SUBJECT), new AdviceWeaver.MethodAdvice() {
            @Override
            public InlineAdvice adviceFor(int access, String name, String descriptor) {
                return switch (name) {
                    case "add" -> constant;
                    case "label" -> plain;
                    case "fail" -> full;
                    default -> null;
                };
            }

            @Override
            public int constantFor(int access, String name, String descriptor) {
                asked.add(name);
                return 100 + asked.size();
            }
        }, null));
        assertEquals(Set.of("add", "label"), Set.copyOf(asked));
        assertEquals(2, asked.size());
        Object subject = plume.getConstructor(String.class).newInstance("x");
        plume.getMethod("add", int.class, int.class).invoke(subject, 1, 1);
        plume.getMethod("label").invoke(subject);
        plume.getMethod("fail", int.class).invoke(subject, 0);
        plume.getMethod("greet", String.class).invoke(subject, "ann");
        int add = 101 + asked.indexOf("add");
        int label = 101 + asked.indexOf("label");
        assertEquals(List.of("enter add #" + add + " [1, 1]", "exit #" + add + " " + 2 * add, "plain #" + label,
            "enter fail 4", "exit fail 4000 returned"), Recorder.EVENTS);
    }

    @Test
    void anAdviceThatThrowsWhileBoxingArgumentsIsSuppressed() throws Exception {
        Class<?> plume = define(AdviceWeaver.rewrite(classFile(SUBJECT), perMethod(ConstantAdvice.class,
            (access, name, descriptor) -> (access & 0x0008) == 0 && !name.equals("<init>")), null));
        Recorder.failEnter = true;
        List<String> calls = runAll(plume);
        Recorder.failEnter = false;
        assertTrue(calls.contains("add(3,4) = 7 [exit #3 0]"), calls::toString);
    }

    @Test
    void anAdviceReadingAConstantIsRefusedWhereTheRewriteSuppliesNone() throws IOException {
        InlineAdvice constant = InlineAdvice.of(ConstantAdvice.class);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> AdviceWeaver.rewrite(
            classFile(SUBJECT), constant, (access, name, descriptor) -> name.equals("add"), null));
        assertTrue(none.getMessage().contains("does not supply"), none.getMessage());
    }

    /** ConstantAdvice-style advice on the methods {@code filter} selects, each reading its name's length. */
    private static AdviceWeaver.MethodAdvice perMethod(Class<?> adviceClass, AdviceWeaver.MethodFilter filter) {
        InlineAdvice advice = InlineAdvice.of(adviceClass);
        return new AdviceWeaver.MethodAdvice() {
            @Override
            public InlineAdvice adviceFor(int access, String name, String descriptor) {
                return filter.selects(access, name, descriptor) ? advice : null;
            }

            @Override
            public int constantFor(int access, String name, String descriptor) {
                return name.length();
            }
        };
    }

    /**
     * ByteBuddy's weave of the same: one advice per method name, its {@link MethodConstant} bound to the name's length
     * by a custom mapping; instance methods, or {@code describe} and {@code mix} with {@code statics}.
     */
    private static Class<?> byteBuddyPerMethod(Class<?> advice, boolean statics) throws Exception {
        DynamicType.Builder<?> builder = new ByteBuddy().redefine(Subject.class, ClassFileLocator.ForClassLoader.of(
            Subject.class.getClassLoader()));
        Set<String> names = new LinkedHashSet<>();
        for (Method method : Subject.class.getDeclaredMethods()) {
            boolean isStatic = java.lang.reflect.Modifier.isStatic(method.getModifiers());
            if (statics ? method.getName().equals("describe") || method.getName().equals("mix") : !isStatic) {
                names.add(method.getName());
            }
        }
        for (String name : names) {
            builder = builder.visit(Advice.withCustomMapping().bind(MethodConstant.class, name.length()).to(advice)
                .on(ElementMatchers.named(name).and(statics ? ElementMatchers.isStatic()
                    : ElementMatchers.not(ElementMatchers.isStatic()))));
        }
        return define(builder.make().getBytes());
    }

    // ---- helpers

    private static Class<?> plume(Class<?> advice, AdviceWeaver.MethodFilter filter) throws Exception {
        byte[] woven = AdviceWeaver.rewrite(classFile(SUBJECT), InlineAdvice.of(advice), filter, null);
        return define(woven);
    }

    private static Class<?> byteBuddy(Class<?> advice, ElementMatcher<? super MethodDescription> methods)
        throws Exception {
        byte[] woven = new ByteBuddy().redefine(Subject.class, ClassFileLocator.ForClassLoader.of(
                Subject.class.getClassLoader()))
            .visit(Advice.to(advice).on(methods)).make().getBytes();
        return define(woven);
    }

    private static Class<?> define(byte[] classFile) throws Exception {
        Class<?> type = Class.forName(SUBJECT, false, new WovenLoader(Map.of(SUBJECT, classFile)));
        type.getDeclaredMethods(); // links the class: the verifier checks every frame now
        return type;
    }

    static byte[] classFile(String className) throws IOException {
        try (InputStream in = AdviceWeaverTest.class.getClassLoader()
            .getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    private interface Scenario {
        void run(Class<?> type) throws Exception;
    }

    private static List<String> replay(Class<?> type, Scenario scenario) throws Exception {
        Recorder.EVENTS.clear();
        scenario.run(type);
        List<String> events = List.copyOf(Recorder.EVENTS);
        Recorder.EVENTS.clear();
        return events;
    }

    /** Calls every instance method of a Subject class with inputs that take each path: "call = result [events]". */
    private static List<String> runAll(Class<?> type) throws Exception {
        Object subject = type.getConstructor(String.class).newInstance("s");
        List<String> out = new ArrayList<>();
        call(out, subject, "add", new Class<?>[] {int.class, int.class}, 3, 4);
        call(out, subject, "add", new Class<?>[] {int.class, int.class}, 90, 50);
        call(out, subject, "greet", new Class<?>[] {String.class}, "ann");
        call(out, subject, "greet", new Class<?>[] {String.class}, "");
        call(out, subject, "greet", new Class<?>[] {String.class}, (Object) null);
        call(out, subject, "fail", new Class<?>[] {int.class}, 0);
        call(out, subject, "fail", new Class<?>[] {int.class}, 1);
        call(out, subject, "maybe", new Class<?>[] {boolean.class}, true);
        call(out, subject, "maybe", new Class<?>[] {boolean.class}, false);
        call(out, subject, "range", new Class<?>[] {int.class}, 3);
        for (int value : new int[] {0, 1, 1000, 7, 70}) {
            call(out, subject, "kind", new Class<?>[] {int.class}, value);
        }
        call(out, subject, "neverReturns", new Class<?>[0]);
        call(out, subject, "label", new Class<?>[0]);
        call(out, subject, "calls", new Class<?>[0]);
        return out;
    }

    private static void call(List<String> out, Object subject, String name, Class<?>[] types, Object... arguments)
        throws Exception {
        Recorder.EVENTS.clear();
        String call = name + "(" + String.join(",", Arrays.stream(arguments).map(String::valueOf).toList()) + ")";
        String outcome;
        try {
            Object result = subject.getClass().getMethod(name, types).invoke(subject, arguments);
            outcome = " = " + (result instanceof int[] values ? Arrays.toString(values) : result);
        } catch (InvocationTargetException e) {
            outcome = " threw " + e.getCause().getMessage();
        }
        out.add(call + outcome + " " + Recorder.EVENTS);
        Recorder.EVENTS.clear();
    }

    @Test
    void rangeStillFillsItsArray() throws Exception {
        Class<?> plume = plume(FullAdvice.class, (access, name, descriptor) -> name.equals("range"));
        Object subject = plume.getConstructor(String.class).newInstance("x");
        assertArrayEquals(new int[] {0, 1, 2}, (int[]) plume.getMethod("range", int.class).invoke(subject, 3));
    }
}

package dev.plume.instrumentation.annotations;

import dev.plume.bootstrap.methods.ArgumentAttribute;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.instrumentation.methods.AsyncMethodSpanAdvice;
import dev.plume.instrumentation.methods.AsyncMethodSpanArgumentsAdvice;
import dev.plume.instrumentation.methods.MethodSpanAdvice;
import dev.plume.instrumentation.methods.MethodSpanAdvices;
import dev.plume.instrumentation.methods.MethodSpanArgumentsAdvice;
import dev.plume.testapp.traced.Traced;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The annotation values, read from class files as the weave reads them, are what the OpenTelemetry agent reads by
 * reflection: span names, kinds, {@code inheritContext}, the attribute each {@code @SpanAttribute} parameter sets and
 * how its value is typed, and which methods end their span asynchronously.
 */
class WithSpanMethodsTest {
    private static final WithSpanMethods TRACED = read(classFile(Traced.class.getName()));
    private static final WithSpanMethods EXTENSION = WithSpanMethods.read(classFile(Traced.class.getName()),
        WithSpanMethods.EXTENSION_WITH_SPAN, WithSpanMethods.EXTENSION_SPAN_ATTRIBUTE);

    @Test
    void spanNamesKindsAndInheritContext() {
        assertMethod("plain", "(Ljava/lang/String;)Ljava/lang/String;", "Traced.plain", SpanKind.INTERNAL, true);
        assertMethod("named", "()V", "custom-name", SpanKind.INTERNAL, true);
        assertMethod("client", "()V", "Traced.client", SpanKind.CLIENT, true);
        assertMethod("root", "()V", "new-root", SpanKind.PRODUCER, false);
        assertMethod("stage", "(Ljava/lang/String;Ljava/util/concurrent/CompletableFuture;)"
            + "Ljava/util/concurrent/CompletionStage;", "Traced.stage", SpanKind.CONSUMER, true);
        // the older extension annotations, read by their own library: value and kind, no inheritContext
        assertNull(TRACED.method("old", "(Ljava/lang/String;)V"));
        WithSpanMethods.Method old = EXTENSION.method("old", "(Ljava/lang/String;)V");
        assertEquals("old-style", old.spanName());
        assertEquals(SpanKind.SERVER, old.kind());
        assertEquals(List.of("old.attribute"), Arrays.asList(old.attributeNames()));
        assertEquals("Traced.oldDefault", EXTENSION.method("oldDefault", "()V").spanName());
        assertNull(EXTENSION.method("plain", "(Ljava/lang/String;)Ljava/lang/String;"));
        assertMethod("twice", "(I)I", "Traced.twice", SpanKind.INTERNAL, true);
        assertNull(TRACED.method("notAnnotated", "()V"));
        assertNull(TRACED.method("<init>", "()V"));
        assertNull(TRACED.method("plain", "()V"), "matched by descriptor, not name alone");
    }

    @Test
    void nestedAndAnonymousClassesAreNamedAsTheAgentNamesThem() {
        WithSpanMethods inner = read(classFile(Traced.Inner.class.getName()));
        assertEquals("Inner.inside", inner.method("inside", "()V").spanName());
        WithSpanMethods anonymous = read(classFile(Traced.class.getName() + "$1"));
        assertEquals("Traced$1.run", anonymous.method("run", "()V").spanName());
        assertTrue(read(classFile(WithSpanMethodsTest.class.getName())).isEmpty());
    }

    @Test
    void spanAttributesAreNamedByTheirValueOrTheParameterAndTypedByTheDeclaredType() {
        WithSpanMethods.Method method = TRACED.method("attributes", "(JLjava/lang/String;FZLjava/util/List;[I"
            + "Ljava/lang/Object;ISLjava/lang/String;Ljava/util/List;Ljava/util/Map;[B)J");
        assertNotNull(method);
        // customer and express have no value: their names come from the local variable table (javac -g, Maven's)
        assertEquals(Arrays.asList("order.id", "customer", "ratio", "express", "tags", "counts", "note", null, "small",
            "absent", "numbers", "map", "bytes"), Arrays.asList(method.attributeNames()));
        assertArrayEquals(new byte[] {ArgumentAttribute.LONG, ArgumentAttribute.STRING, ArgumentAttribute.FLOAT,
            ArgumentAttribute.BOOLEAN, ArgumentAttribute.STRING_LIST, ArgumentAttribute.INT_ARRAY,
            ArgumentAttribute.TO_STRING, ArgumentAttribute.INT, ArgumentAttribute.TO_STRING, ArgumentAttribute.STRING,
            ArgumentAttribute.OBJECT_LIST, ArgumentAttribute.TO_STRING, ArgumentAttribute.NONE},
            method.attributeTypes());
        assertEquals(List.of("n"), Arrays.asList(TRACED.method("twice", "(I)I").attributeNames()),
            "a static method's parameters start at slot 0");
        assertNull(TRACED.method("plain", "(Ljava/lang/String;)Ljava/lang/String;").attributeNames(),
            "no @SpanAttribute: no attributes, so the advice that reads no arguments");
    }

    @Test
    void aParameterNameComesFromMethodParametersOrTheLocalVariableTableAndWithoutEitherThereIsNoAttribute()
        throws Exception {
        String source = "package p;\n"
            + "import io.opentelemetry.instrumentation.annotations.*;\n"
            + "public class Compiled {\n"
            + "  @WithSpan public void m(@SpanAttribute String first, @SpanAttribute(\"given\") int second) {\n"
            + "    String local = first; }\n"
            + "}\n";
        assertEquals(Arrays.asList("first", "given"), attributeNames(compile(source, "-parameters", "-g:none")));
        assertEquals(Arrays.asList("first", "given"), attributeNames(compile(source, "-g")));
        assertEquals(Arrays.asList(null, "given"), attributeNames(compile(source, "-g:none")));
    }

    @Test
    void methodsDeclaredToReturnAFutureOrStageEndTheirSpanAsynchronously() {
        assertEquals(AsyncMethodSpanAdvice.class, MethodSpanAdvices.forMethod(
            "(Ljava/util/concurrent/CompletableFuture;)Ljava/util/concurrent/CompletableFuture;", false));
        assertEquals(AsyncMethodSpanArgumentsAdvice.class, MethodSpanAdvices.forMethod(
            "(Ljava/lang/String;Ljava/util/concurrent/CompletableFuture;)Ljava/util/concurrent/CompletionStage;",
            true));
        assertEquals(MethodSpanAdvice.class, MethodSpanAdvices.forMethod(
            "(Ljava/util/concurrent/CompletableFuture;)Ljava/lang/Object;", false), "decided by the declared type");
        assertEquals(MethodSpanArgumentsAdvice.class, MethodSpanAdvices.forMethod("(I)I", true));
        assertFalse(MethodSpanAdvices.isTraceable(0x0001 | 0x0040 | 0x1000, "get"), "a bridge method");
        assertFalse(MethodSpanAdvices.isTraceable(0x0001, "<init>"));
        assertTrue(MethodSpanAdvices.isTraceable(0x0001, "get"));
    }

    @Test
    void listElementTypesComeFromTheGenericSignature() {
        String signature = "<T:Ljava/lang/Object;>(Ljava/util/List<TT;>;[Ljava/lang/String;"
            + "Ljava/util/Map<Ljava/lang/String;Ljava/util/List<Ljava/lang/Long;>;>;Ljava/util/List<Ljava/lang/Long;>;"
            + "ILjava/util/List<+Ljava/lang/Number;>;Ljava/util/List<*>;Lp/Outer<Ljava/lang/String;>.Inner;)V";
        assertEquals(Arrays.asList(null, null, "java/lang/String", "java/lang/Long", null, null, null,
            "java/lang/String"), Arrays.asList(ParameterTypes.listElements(signature, 8)));
        assertNull(ParameterTypes.listElements(signature, 7), "a count that does not fit: nothing is guessed");
        assertNull(ParameterTypes.listElements("(Ljava/util/List<", 1));
        byte[] codes = ParameterTypes.codes("(Ljava/util/List;Ljava/util/ArrayList;Ljava/util/List;[Ljava/lang/Long;"
                + "[[I[Ljava/lang/Object;Ljava/lang/Integer;C)V",
            "(Ljava/util/List<Ljava/lang/Double;>;Ljava/util/ArrayList<Ljava/lang/Boolean;>;Ljava/util/List;"
                + "[Ljava/lang/Long;[[I[Ljava/lang/Object;Ljava/lang/Integer;C)V");
        assertArrayEquals(new byte[] {ArgumentAttribute.DECIMAL_LIST, ArgumentAttribute.BOOLEAN_LIST,
            ArgumentAttribute.OBJECT_LIST, ArgumentAttribute.BOXED_INTEGER_ARRAY, ArgumentAttribute.OBJECT_ARRAY,
            ArgumentAttribute.OBJECT_ARRAY, ArgumentAttribute.INT, ArgumentAttribute.TO_STRING}, codes);
    }

    private static void assertMethod(String name, String descriptor, String spanName, int kind, boolean inherit) {
        WithSpanMethods.Method method = TRACED.method(name, descriptor);
        assertNotNull(method, name + descriptor);
        assertEquals(spanName, method.spanName());
        assertEquals(kind, method.kind(), name);
        assertEquals(inherit, method.inheritContext(), name);
    }

    private static List<String> attributeNames(byte[] classFile) {
        return Arrays.asList(read(classFile).method("m", "(Ljava/lang/String;I)V").attributeNames());
    }

    /** The newest annotations' methods. */
    private static WithSpanMethods read(byte[] classFile) {
        return WithSpanMethods.read(classFile, WithSpanMethods.WITH_SPAN, WithSpanMethods.SPAN_ATTRIBUTE);
    }

    /** Compiles one class with these javac options and returns its class file. */
    private static byte[] compile(String source, String... options) throws IOException {
        Path dir = Files.createTempDirectory("plume-compiled");
        try {
            Path file = dir.resolve("Compiled.java");
            Files.writeString(file, source);
            String annotations = Path.of(jarOf(WithSpan.class)).toString();
            String api = Path.of(jarOf(io.opentelemetry.api.trace.SpanKind.class)).toString();
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            List<String> arguments = new java.util.ArrayList<>(List.of("-proc:none", "-d", dir.toString(),
                "-classpath", annotations + java.io.File.pathSeparator + api));
            arguments.addAll(List.of(options));
            arguments.add(file.toString());
            assertEquals(0, javac.run(null, null, null, arguments.toArray(new String[0])), "javac");
            return Files.readAllBytes(dir.resolve("p").resolve("Compiled.class"));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static java.net.URI jarOf(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] classFile(String className) {
        try (InputStream in = WithSpanMethodsTest.class.getClassLoader()
            .getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

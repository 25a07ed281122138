package dev.plume.instrumentation.matching;

import dev.plume.instrumentation.matching.fixtures.ServletAdviceFixture;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdviceReferencesTest {
    private final AdviceReferences references = AdviceReferences.of(List.of(ServletAdviceFixture.class));

    @Test
    void adviceFitsALibraryThatHasWhatItCalls() {
        assertTrue(references.size() > 0);
        // the test class path has javax.servlet-api 3.1, which has getDispatcherType
        assertNull(references.firstMissing(AdviceReferencesTest.class.getClassLoader()));
    }

    @Test
    void aLibraryVersionWithoutAMethodTheAdviceCallsDoesNotFit() {
        // a Servlet 2.5-shaped ServletRequest: the type is there, getDispatcherType (3.0) is not
        byte[] servlet25Request = interfaceWith("javax/servlet/ServletRequest", "getAttribute",
            "(Ljava/lang/String;)Ljava/lang/Object;");
        Map<String, byte[]> servlet25 = Map.of("javax/servlet/ServletRequest", servlet25Request);
        assertEquals("method javax.servlet.ServletRequest#getDispatcherType()Ljavax/servlet/DispatcherType;",
            references.firstMissing(name -> servlet25.containsKey(name) ? servlet25.get(name)
                : read(AdviceReferencesTest.class.getClassLoader(), name)));
    }

    @Test
    void aLoaderWithoutTheLibraryAtAllDoesNotFit() {
        assertEquals("class javax.servlet.ServletRequest", references.firstMissing((ClassLoader) null));
    }

    private static byte[] read(ClassLoader loader, String internalName) {
        try (java.io.InputStream in = loader.getResourceAsStream(internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] interfaceWith(String name, String method, String descriptor) {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT, name, null,
            "java/lang/Object", null);
        writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, method, descriptor, null, null).visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}

package dev.plume.instrumentation.weave;

import dev.plume.instrumentation.okhttp.ChainProceedAdvice;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OkHttp advice as the agent jar holds it (relocated) is read back with the application's OkHttp names. */
class AdviceClassFilesTest {
    @Test
    void relocatedOkHttpNamesInAdviceAreTurnedBackAndNothingElseChanges() throws Exception {
        byte[] original = AdviceClassFiles.read(ChainProceedAdvice.class);
        assertNotNull(original);
        assertSame(original, AdviceClassFiles.unrelocated(original), "nothing relocated: the same bytes");
        byte[] relocated = relocate(original);
        assertTrue(text(relocated).contains("dev/plume/shaded/okhttp3/Request"));
        byte[] restored = AdviceClassFiles.unrelocated(relocated);
        assertFalse(text(restored).contains("dev/plume/shaded/okhttp3"));
        // the same class as compiled, constant for constant
        assertArrayEquals(normalized(original), normalized(restored));
        assertNotNull(InlineAdvice.parse(restored));
    }

    /** What the agent jar's shade plugin does to the advice's references. */
    private static byte[] relocate(byte[] classFile) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(classFile).accept(new ClassRemapper(writer, new Remapper(Opcodes.ASM9) {
            @Override
            public String map(String internalName) {
                return internalName.startsWith("okhttp3/") ? "dev/plume/shaded/" + internalName : internalName;
            }
        }), 0);
        return writer.toByteArray();
    }

    private static byte[] normalized(byte[] classFile) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
        }, 0);
        return writer.toByteArray();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}

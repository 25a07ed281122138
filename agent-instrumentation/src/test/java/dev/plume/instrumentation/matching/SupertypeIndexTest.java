package dev.plume.instrumentation.matching;

import dev.plume.instrumentation.matching.fixtures.Base;
import dev.plume.instrumentation.matching.fixtures.Leaf;
import dev.plume.instrumentation.matching.fixtures.Unrelated;
import dev.plume.instrumentation.matching.fixtures.Watched;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.plume.instrumentation.matching.ClassFileSummaryTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SupertypeIndexTest {
    private static final String WATCHED = Watched.class.getName().replace('.', '/');

    @Test
    void aSubtypeAtAnyDepthIsFoundFromClassFilesWithoutLoadingAClass() throws Exception {
        ResourceOnlyLoader loader = new ResourceOnlyLoader();
        SupertypeIndex index = new SupertypeIndex(List.of(WATCHED, "java/lang/Runnable"));
        long watched = index.bit(WATCHED);
        long runnable = index.bit("java/lang/Runnable");
        assertEquals(watched | runnable, index.visibleFrom(loader, -1L));
        assertEquals(watched, index.visibleFrom(loader, watched), "only the bits asked for");

        // Leaf's supertypes (Middle, Base) are not loaded, nor summarized yet: read through the loader
        assertEquals(watched | runnable, index.supertypesOf(loader, ClassFileSummary.of(bytes(Leaf.class)), -1L));
        assertEquals(watched, index.supertypesOf(loader, ClassFileSummary.of(bytes(Base.class)), -1L));
        assertEquals(0, index.supertypesOf(loader, ClassFileSummary.of(bytes(Unrelated.class)), -1L));
        assertEquals(0, index.supertypesOf(loader, ClassFileSummary.of(bytes(Watched.class)), -1L),
            "the interface itself is not a match");
        assertEquals(watched, index.supertypesOf(loader, ClassFileSummary.of(bytes(Leaf.class)), watched),
            "only the bits asked for");
    }

    @Test
    void eachSupertypeIsReadOnceThenCached() throws Exception {
        ResourceOnlyLoader loader = new ResourceOnlyLoader();
        SupertypeIndex index = new SupertypeIndex(List.of(WATCHED));
        index.supertypesOf(loader, ClassFileSummary.of(bytes(Leaf.class)), -1L);
        int reads = loader.resourceReads.get();
        assertTrue(reads >= 2, "Middle and Base were read: " + reads);
        for (int i = 0; i < 100; i++) {
            index.supertypesOf(loader, ClassFileSummary.of(bytes(Leaf.class)), -1L);
        }
        assertEquals(reads, loader.resourceReads.get(), "cached after the first time");
    }

    @Test
    void aLoaderThatCannotSeeTheWatchedTypeIsRejectedAtOnce() {
        SupertypeIndex index = new SupertypeIndex(List.of("javax/servlet/definitely/Missing"));
        assertEquals(0, index.visibleFrom(new ResourceOnlyLoader(), -1L));
        assertEquals(0, index.visibleFrom(null, -1L));
    }

    @Test
    void theCachePerLoaderIsBounded() {
        ClassLoader loader = new ResourceOnlyLoader();
        SupertypeIndex index = new SupertypeIndex(List.of("gen/Root"));
        long root = index.bit("gen/Root");
        String previous = "gen/Root";
        int count = SupertypeIndex.MAX_ENTRIES_PER_LOADER + 500;
        for (int i = 0; i < count; i++) {
            String name = "gen/C" + i;
            // each class extends the one before, all the way down to gen/Root: every one is a match
            assertEquals(root, index.supertypesOf(loader, ClassFileSummary.of(classFile(name, previous)), -1L), name);
            previous = name;
        }
        assertTrue(index.cachedEntries(loader) <= SupertypeIndex.MAX_ENTRIES_PER_LOADER,
            "bounded: " + index.cachedEntries(loader));
    }

    private static byte[] classFile(String name, String superName) {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, name, null, superName, null);
        writer.visitEnd();
        return writer.toByteArray();
    }
}

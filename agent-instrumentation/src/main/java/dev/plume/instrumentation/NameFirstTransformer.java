package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's class file transformer. A loading class is first looked up by name among the instrumented ones: a miss,
 * nearly every class, returns at once, and ByteBuddy is not even loaded until some class matches. A match is rewritten
 * with the library's advice, without changing the class's shape (no new members), so retransforming loaded classes
 * works too. A failure leaves the class as it was and is logged.
 */
final class NameFirstTransformer implements ClassFileTransformer {
    private final Instrumentation instrumentation;
    /** Internal names (with '/') of instrumented classes: the form the JVM passes to transformers. */
    private final Map<String, LibraryInstrumentation> byInternalName = new HashMap<>();
    private final AtomicLong transformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile ByteBuddy byteBuddy;

    NameFirstTransformer(Instrumentation instrumentation, List<LibraryInstrumentation> libraries) {
        this.instrumentation = instrumentation;
        for (LibraryInstrumentation library : libraries) {
            for (String typeName : library.typeNames()) {
                byInternalName.put(typeName.replace('.', '/'), library);
            }
        }
    }

    /** Registers the transformer and rewrites the instrumented classes the JVM has already loaded. */
    void install() {
        instrumentation.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (byInternalName.containsKey(type.getName().replace('.', '/'))
                && instrumentation.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        for (Class<?> type : loaded) {
            try {
                instrumentation.retransformClasses(type);
            } catch (Throwable t) {
                failed.incrementAndGet();
                PlumeLog.warnRateLimited("retransform", "could not instrument loaded class " + type.getName() + ": " + t);
            }
        }
    }

    void uninstall() {
        instrumentation.removeTransformer(this);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (internalName == null) {
            return null;
        }
        LibraryInstrumentation library = byInternalName.get(internalName);
        if (library == null) {
            return null;
        }
        String typeName = internalName.replace('/', '.');
        try {
            ModuleReads.ensureReadsRuntime(instrumentation, module);
            ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
            TypePool pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), locator,
                TypePool.Default.ReaderMode.FAST);
            TypeDescription type = pool.describe(typeName).resolve();
            byte[] rewritten = byteBuddy().redefine(type, locator).visit(library.advice(type)).make(pool).getBytes();
            transformed.incrementAndGet();
            PlumeLog.debug("instrumented " + typeName + " (" + library.name() + ")");
            return rewritten;
        } catch (Throwable t) {
            failed.incrementAndGet();
            PlumeLog.warnRateLimited("transform-" + library.name(), "could not instrument " + typeName
                + ", it runs untraced: " + t);
            return null;
        }
    }

    /** Frozen types and a disabled implementation context: advice is inlined, nothing is added to the class. */
    private ByteBuddy byteBuddy() {
        ByteBuddy instance = byteBuddy;
        if (instance == null) {
            instance = new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(InstrumentedType.Factory.Default.FROZEN)
                .with(Implementation.Context.Disabled.Factory.INSTANCE);
            byteBuddy = instance;
        }
        return instance;
    }

    long transformedCount() {
        return transformed.get();
    }

    long failedCount() {
        return failed.get();
    }
}

package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.PlumeExporter;
import dev.plume.instrumentation.jdkhttpclient.JdkHttpClientInstrumentation;
import dev.plume.instrumentation.jdkhttpserver.JdkHttpServerInstrumentation;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * Installs Plume in a running JVM, called once by the launcher from the isolated agent class loader: reads the
 * configuration, makes the tracer live, installs the transformer, starts the exporter thread.
 */
public final class PlumeInstaller {
    private static final AtomicLong TRANSFORM_ERRORS = new AtomicLong();

    private PlumeInstaller() {
    }

    /** The instrumented libraries, one package each. */
    static List<LibraryInstrumentation> libraries() {
        return List.of(new JdkHttpServerInstrumentation(), new JdkHttpClientInstrumentation());
    }

    public static void install(Instrumentation instrumentation, String agentArgs, String agentVersion) {
        PlumeConfig config = PlumeConfig.fromEnvironment();
        PlumeLog.setDebug(config.getBoolean("otel.javaagent.debug", false) || PlumeLog.isDebug());
        long ringBytes = config.getBytes("plume.ring.buffer.size", SpanRing.DEFAULT_CAPACITY, SpanRing.MIN_CAPACITY,
            SpanRing.MAX_CAPACITY);
        SpanRing ring = new SpanRing(SpanRing.capacityFor(ringBytes));
        PlumeExporter exporter = PlumeExporter.start(config, ring, agentVersion == null ? "dev" : agentVersion);
        Tracer.install(ring, HeadSampler.from(config), SpanLimits.from(config));
        try {
            installTransformer(instrumentation, config);
        } catch (Throwable t) {
            // Start-up is all or nothing: no spans recorded into a ring nobody reads, no half-applied advice.
            Tracer.uninstall();
            exporter.shutdown();
            throw t;
        }
        PlumeLog.debug("started, version " + agentVersion + ", ring " + ring.capacity() + " bytes");
    }

    static ResettableClassFileTransformer installTransformer(Instrumentation instrumentation, PlumeConfig config) {
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
            .with(new TransformListener())
            // The default ignores the JDK's own loaders; the JDK HTTP server and client live there.
            .ignore(nameStartsWith("dev.plume.")
                .or(nameStartsWith("net.bytebuddy."))
                .or(nameStartsWith("jdk.internal.reflect."))
                .or(nameStartsWith("sun.reflect."))
                .or(isSynthetic()));
        for (LibraryInstrumentation library : libraries()) {
            if (config.getBoolean("otel.instrumentation." + library.name() + ".enabled",
                config.getBoolean("otel.instrumentation.common.default-enabled", true))) {
                builder = library.extend(builder, instrumentation);
            }
        }
        return builder.installOn(instrumentation);
    }

    /** Transformation failures are logged (rate-limited) and counted; the class loads untransformed. */
    private static final class TransformListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            TRANSFORM_ERRORS.incrementAndGet();
            PlumeLog.warnRateLimited("transform-error", "could not instrument " + typeName + ": " + throwable);
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            PlumeLog.debug("instrumented " + typeDescription.getName());
        }
    }
}

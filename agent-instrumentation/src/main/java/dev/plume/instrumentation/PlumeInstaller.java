package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.ConfigKey;
import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.db.DbSpans;
import dev.plume.bootstrap.http.ServerPaths;
import dev.plume.bootstrap.logs.LogContext;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.PlumeExporter;
import dev.plume.instrumentation.annotations.AnnotationsInstrumentation;
import dev.plume.instrumentation.apachehttpclient.ApacheHttpClientInstrumentation;
import dev.plume.instrumentation.executors.ExecutorsInstrumentation;
import dev.plume.instrumentation.httpurlconnection.HttpUrlConnectionInstrumentation;
import dev.plume.instrumentation.jdbc.JdbcInstrumentation;
import dev.plume.instrumentation.jdkhttpclient.JdkHttpClientInstrumentation;
import dev.plume.instrumentation.jdkhttpserver.JdkHttpServerInstrumentation;
import dev.plume.instrumentation.jedis.JedisInstrumentation;
import dev.plume.instrumentation.lettuce.LettuceInstrumentation;
import dev.plume.instrumentation.log4j.Log4jInstrumentation;
import dev.plume.instrumentation.logback.LogbackInstrumentation;
import dev.plume.instrumentation.okhttp.OkHttpInstrumentation;
import dev.plume.instrumentation.slf4j.Slf4jMdcInstrumentation;
import dev.plume.instrumentation.matching.IgnoredTypes;
import dev.plume.instrumentation.methods.MethodsInstrumentation;
import dev.plume.instrumentation.otelapi.BridgeFactory;
import dev.plume.instrumentation.otelapi.OpenTelemetryApiInstrumentation;
import dev.plume.instrumentation.rabbitmq.RabbitMqInstrumentation;
import dev.plume.instrumentation.kafka.KafkaInstrumentation;
import dev.plume.instrumentation.servlet.ServletInstrumentation;
import dev.plume.instrumentation.springwebflux.SpringWebfluxInstrumentation;
import dev.plume.instrumentation.springwebmvc.SpringWebMvcInstrumentation;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs Plume in a running JVM, called once by the launcher from the isolated agent class loader: reads the
 * configuration, makes the tracer live, installs the transformer, starts the exporter thread.
 */
public final class PlumeInstaller {
    private PlumeInstaller() {
    }

    /** The instrumented libraries, one package each; a new library is one line here. */
    static List<LibraryInstrumentation> libraries(PlumeConfig config) {
        return List.of(
            new JdkHttpServerInstrumentation(),
            new JdkHttpClientInstrumentation(),
            new HttpUrlConnectionInstrumentation(),
            new OkHttpInstrumentation(),
            new ApacheHttpClientInstrumentation(),
            new SpringWebfluxInstrumentation(),
            new ServletInstrumentation(),
            new SpringWebMvcInstrumentation(),
            new ExecutorsInstrumentation(),
            new JdbcInstrumentation(),
            new JedisInstrumentation(),
            new LettuceInstrumentation(),
            new RabbitMqInstrumentation(),
            new KafkaInstrumentation(),
            new LogbackInstrumentation(),
            new Log4jInstrumentation(),
            new Slf4jMdcInstrumentation(),
            AnnotationsInstrumentation.instrumentationAnnotations(config),
            AnnotationsInstrumentation.extensionAnnotations(config),
            new MethodsInstrumentation(config),
            new OpenTelemetryApiInstrumentation());
    }

    public static void install(Instrumentation instrumentation, String agentArgs, String agentVersion) {
        PlumeConfig config = PlumeConfig.fromEnvironment(agentArgs);
        // the launcher stopped early only for a plain "false"; here every source is known and a bad value is reported
        if (!config.getBoolean(ConfigKeys.JAVAAGENT_ENABLED) || config.getBoolean(ConfigKeys.SDK_DISABLED)) {
            PlumeLog.debug("disabled by configuration: nothing installed");
            return;
        }
        PlumeLog.setDebug(config.getBoolean(ConfigKeys.JAVAAGENT_DEBUG) || config.getBoolean(ConfigKeys.PLUME_DEBUG)
            || PlumeLog.isDebug());
        long ringBytes = config.getBytes(ConfigKeys.RING_BUFFER_SIZE);
        SpanRing ring = new SpanRing(SpanRing.capacityFor(ringBytes));
        ServerPaths.ignore(config.getList(ConfigKeys.SERVER_IGNORE_PATHS));
        Propagation.configure(config.getList(ConfigKeys.PROPAGATORS));
        LogContext.keys(config.getString(ConfigKeys.LOGGING_TRACE_ID), config.getString(ConfigKeys.LOGGING_SPAN_ID),
            config.getString(ConfigKeys.LOGGING_TRACE_FLAGS));
        DbSpans.sanitize(config.getBoolean(ConfigKeys.DB_STATEMENT_SANITIZER));
        dev.plume.bootstrap.messaging.KafkaSpans.receiveTelemetry(
            config.getBoolean(ConfigKeys.MESSAGING_RECEIVE_TELEMETRY));
        DbSpans.duplicateOlderNames(config.getList(ConfigKeys.SEMCONV_STABILITY_OPT_IN).contains("database/dup"));
        Tracer.install(ring, HeadSampler.from(config), SpanLimits.from(config));
        Tracer.addThreadDetails(config.getBoolean(ConfigKeys.ADD_THREAD_DETAILS));
        dev.plume.bootstrap.api.ApiBridge.install(new BridgeFactory());
        MatchingTransformer transformer;
        try {
            // before the exporter starts: the JDK classes that get a context field must not be loaded before it is here
            transformer = installTransformer(instrumentation, config);
        } catch (Throwable t) {
            // Start-up is all or nothing: no spans recorded into a ring nobody reads, no half-applied advice.
            Tracer.uninstall();
            throw t;
        }
        try {
            PlumeExporter.start(config, ring, agentVersion == null ? "dev" : agentVersion);
        } catch (Throwable t) {
            transformer.uninstall();
            Tracer.uninstall();
            throw t;
        }
        PlumeLog.debug("started, version " + agentVersion + ", ring " + ring.capacity() + " bytes");
    }

    static MatchingTransformer installTransformer(Instrumentation instrumentation, PlumeConfig config) {
        List<LibraryInstrumentation> enabled = new ArrayList<>();
        boolean enabledByDefault = config.getBoolean(ConfigKeys.INSTRUMENTATION_DEFAULT_ENABLED);
        for (LibraryInstrumentation library : libraries(config)) {
            if (isEnabled(config, library, enabledByDefault)) {
                enabled.add(library);
            }
        }
        MatchingTransformer transformer = new MatchingTransformer(instrumentation, enabled,
            IgnoredTypes.excluding(config.getList(ConfigKeys.EXCLUDE_CLASSES)));
        transformer.install();
        return transformer;
    }

    /** Its own switch, or an alias's, decides; else {@code otel.instrumentation.common.default-enabled}. */
    private static boolean isEnabled(PlumeConfig config, LibraryInstrumentation library, boolean enabledByDefault) {
        List<String> names = new ArrayList<>();
        names.add(library.name());
        names.addAll(library.aliases());
        for (String name : names) {
            ConfigKey key = ConfigKeys.instrumentationEnabled(name);
            if (config.getRaw(key) != null) {
                return config.getBoolean(key);
            }
        }
        return enabledByDefault;
    }
}

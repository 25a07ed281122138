package dev.plume.bootstrap.config;

import dev.plume.bootstrap.record.SpanRing;

import java.util.List;

import static dev.plume.bootstrap.config.ConfigKey.bool;
import static dev.plume.bootstrap.config.ConfigKey.bytes;
import static dev.plume.bootstrap.config.ConfigKey.choice;
import static dev.plume.bootstrap.config.ConfigKey.decimal;
import static dev.plume.bootstrap.config.ConfigKey.duration;
import static dev.plume.bootstrap.config.ConfigKey.integer;
import static dev.plume.bootstrap.config.ConfigKey.list;
import static dev.plume.bootstrap.config.ConfigKey.map;
import static dev.plume.bootstrap.config.ConfigKey.path;
import static dev.plume.bootstrap.config.ConfigKey.string;
import static dev.plume.bootstrap.config.ConfigKey.url;

/**
 * Every configuration key the agent reads, declared once, in the order the README's table lists them. A key that is
 * not here cannot be read ({@link PlumeConfig} takes only {@link ConfigKey}s), and the README's table is checked
 * against this list by a test.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    private static final String OTLP_ = "otel.exporter.otlp.";
    private static final String TRACES_ = "otel.exporter.otlp.traces.";

    // ---- the agent as a whole
    public static final ConfigKey JAVAAGENT_ENABLED = bool("otel.javaagent.enabled", true,
        "`false`: the agent installs nothing and the application runs as without it");
    public static final ConfigKey SDK_DISABLED = bool("otel.sdk.disabled", false, "`true`: same as the key above");
    public static final ConfigKey CONFIGURATION_FILE = path("otel.javaagent.configuration-file",
        "a Java properties file with more of these keys (read after system properties and environment)");
    public static final ConfigKey JAVAAGENT_DEBUG = bool("otel.javaagent.debug", false,
        "debug lines from the agent on stderr");
    public static final ConfigKey PLUME_DEBUG = bool("plume.debug", false,
        "debug lines, and stack traces of the agent's own failures, on stderr");
    public static final ConfigKey ADD_THREAD_DETAILS = bool("otel.javaagent.add-thread-details", false,
        "`true`: every span gets `thread.id` and `thread.name` of the thread that started it, as the OpenTelemetry agent"
            + " does by default (off here: two more attributes on every span)");

    // ---- the resource
    public static final ConfigKey SERVICE_NAME = string("otel.service.name", null,
        "`service.name` of the resource").shownAs("`unknown_service:java`");
    public static final ConfigKey RESOURCE_ATTRIBUTES = map("otel.resource.attributes", false,
        "`key=value,key2=value2` (percent-encoded values) added to the resource");

    // ---- exporters and the OTLP endpoint
    public static final ConfigKey TRACES_EXPORTER = list("otel.traces.exporter", "otlp",
        "`otlp`, `console` (trace trees on stdout), `none`; or a list such as `otlp,console`");
    public static final ConfigKey OTLP_ENDPOINT = url(OTLP_ + "endpoint",
        "`http://localhost:4318` (`http://localhost:4317` for grpc)",
        "base URL; `/v1/traces` is appended for http/protobuf, grpc uses it as is");
    public static final ConfigKey OTLP_TRACES_ENDPOINT = url(TRACES_ + "endpoint", null,
        "full URL, used as is (wins over the base endpoint)");
    public static final ConfigKey OTLP_PROTOCOL = choice(OTLP_ + "protocol", "http/protobuf",
        List.of("grpc", "http/protobuf", "http/json"),
        "`http/protobuf` (HTTP/2 where TLS negotiates it) or `grpc` (HTTP/2, pooled connections)");
    public static final ConfigKey OTLP_TRACES_PROTOCOL = traces(OTLP_PROTOCOL);
    public static final ConfigKey OTLP_CERTIFICATE = path(OTLP_ + "certificate",
        "PEM file of CA certificates to trust for the endpoint");
    public static final ConfigKey OTLP_TRACES_CERTIFICATE = traces(OTLP_CERTIFICATE);
    public static final ConfigKey OTLP_CLIENT_KEY = path(OTLP_ + "client.key",
        "PKCS#8 PEM private key for mutual TLS");
    public static final ConfigKey OTLP_TRACES_CLIENT_KEY = traces(OTLP_CLIENT_KEY);
    public static final ConfigKey OTLP_CLIENT_CERTIFICATE = path(OTLP_ + "client.certificate",
        "PEM certificate chain for mutual TLS");
    public static final ConfigKey OTLP_TRACES_CLIENT_CERTIFICATE = traces(OTLP_CLIENT_CERTIFICATE);
    public static final ConfigKey OTLP_HEADERS = map(OTLP_ + "headers", true,
        "`key=value,...` sent with every export (values never logged)");
    public static final ConfigKey OTLP_TRACES_HEADERS = traces(OTLP_HEADERS);
    public static final ConfigKey OTLP_COMPRESSION = choice(OTLP_ + "compression", "none", List.of("gzip", "none"),
        "`gzip` or `none`");
    public static final ConfigKey OTLP_TRACES_COMPRESSION = traces(OTLP_COMPRESSION);
    public static final ConfigKey OTLP_TIMEOUT = duration(OTLP_ + "timeout", 10_000, null, 1,
        "timeout of one export request");
    public static final ConfigKey OTLP_TRACES_TIMEOUT = traces(OTLP_TIMEOUT);

    // ---- batching (the exporter thread)
    public static final ConfigKey BSP_SCHEDULE_DELAY = duration("otel.bsp.schedule.delay", 5000, null, 0,
        "longest time a span waits before its batch is sent");
    public static final ConfigKey BSP_MAX_EXPORT_BATCH_SIZE = integer("otel.bsp.max.export.batch.size", 2048, 1,
        1 << 16, "spans per export request (the SDK's default is 512: each request costs the application's machine"
            + " and the backend a fixed amount of work, a quarter as often at 2048; `plume.exporter.max.request.size`"
            + " keeps the requests small enough for any backend)");
    public static final ConfigKey BSP_EXPORT_TIMEOUT = duration("otel.bsp.export.timeout", 30_000, null, 0,
        "at JVM exit, the most the agent may take to send what it holds while the backend answers; it never holds the"
            + " JVM longer");

    // ---- sampling and limits
    public static final ConfigKey TRACES_SAMPLER = choice("otel.traces.sampler", "parentbased_always_on",
        List.of("always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio"),
        "`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`,"
            + " `parentbased_traceidratio`");
    public static final ConfigKey TRACES_SAMPLER_ARG = decimal("otel.traces.sampler.arg", 1.0, 0.0, 1.0,
        "the ratio for the `traceidratio` samplers");
    public static final ConfigKey ATTRIBUTE_COUNT_LIMIT = integer("otel.attribute.count.limit", 128, 0, 4096,
        "attributes kept per span, per event and per link, unless the keys below say otherwise");
    public static final ConfigKey SPAN_ATTRIBUTE_COUNT_LIMIT = integer("otel.span.attribute.count.limit", 128, 0,
        4096, "attributes kept per span (more are dropped and counted in OTLP `dropped_attributes_count`)");
    public static final ConfigKey SPAN_EVENT_COUNT_LIMIT = integer("otel.span.event.count.limit", 128, 0, 4096,
        "events kept per span");
    public static final ConfigKey EVENT_ATTRIBUTE_COUNT_LIMIT = integer("otel.event.attribute.count.limit", 128, 0,
        4096, "attributes kept per event");
    public static final ConfigKey SPAN_LINK_COUNT_LIMIT = integer("otel.span.link.count.limit", 128, 0, 4096,
        "links kept per span (more are dropped and counted in OTLP `dropped_links_count`)");
    public static final ConfigKey LINK_ATTRIBUTE_COUNT_LIMIT = integer("otel.link.attribute.count.limit", 128, 0,
        4096, "attributes kept per link");
    public static final ConfigKey ATTRIBUTE_VALUE_LENGTH_LIMIT = integer("otel.attribute.value.length.limit",
        Integer.MAX_VALUE, 0, Integer.MAX_VALUE,
        "string values, and each string of an array value, cut at this many characters").shownAs("unlimited");
    public static final ConfigKey SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT = ATTRIBUTE_VALUE_LENGTH_LIMIT.variant(
        "otel.span.attribute.value.length.limit", "as the key above, for span attributes only");

    // ---- instrumentation
    public static final ConfigKey INSTRUMENTATION_DEFAULT_ENABLED = bool(
        "otel.instrumentation.common.default-enabled", true,
        "`false`: every instrumentation is off unless enabled by name");
    /** A family: one key per instrumentation name, see {@link #instrumentationEnabled}. */
    public static final ConfigKey INSTRUMENTATION_ENABLED = bool("otel.instrumentation.<name>.enabled", true,
        "one instrumentation on or off: `java-http-server` (also `jdk-httpserver`), `java-http-client`,"
            + " `http-url-connection`, `okhttp`, `apache-httpclient`, `spring-webflux`, `servlet`,"
            + " `spring-webmvc`, `executors`, `jdbc`, `jedis`, `lettuce`, `rabbitmq`, `kafka`, `logback-mdc`,"
            + " `log4j-context-data`, `slf4j-mdc`, `opentelemetry-instrumentation-annotations`,"
            + " `opentelemetry-extension-annotations`, `methods`, `opentelemetry-api`");
    public static final ConfigKey EXCLUDE_CLASSES = list("otel.javaagent.exclude-classes", null,
        "classes no instrumentation touches: binary names, or prefixes ending in `*` (`com.example.legacy.*`)");
    public static final ConfigKey DB_STATEMENT_SANITIZER = bool(
        "otel.instrumentation.common.db-statement-sanitizer.enabled", true,
        "`false`: `db.query.text` is the query as the application wrote it, literals included (they may be secrets)");
    public static final ConfigKey LOGGING_TRACE_ID = string("otel.instrumentation.common.logging.trace-id", "trace_id",
        "the MDC key of the current trace id in log events (Logback `%X{trace_id}`)");
    public static final ConfigKey LOGGING_SPAN_ID = string("otel.instrumentation.common.logging.span-id", "span_id",
        "the MDC key of the current span id");
    public static final ConfigKey LOGGING_TRACE_FLAGS = string("otel.instrumentation.common.logging.trace-flags",
        "trace_flags", "the MDC key of the current trace flags (`01` when sampled)");
    public static final ConfigKey MESSAGING_RECEIVE_TELEMETRY = bool(
        "otel.instrumentation.messaging.experimental.receive-telemetry.enabled", false,
        "`true`: a Kafka `poll` that returns records is a CONSUMER receive span too (`poll <topic>`, linked to each"
            + " record's send), as in the OpenTelemetry agent, where it is off by default as here");
    public static final ConfigKey PROPAGATORS = list("otel.propagators", "tracecontext,baggage",
        "context propagation, in order: `tracecontext` (W3C `traceparent`/`tracestate`), `baggage` (W3C `baggage`),"
            + " `b3` (one `b3` header), `b3multi` (`X-B3-*` headers), `none`; a later propagator's valid parent"
            + " overrides an earlier one's");
    public static final ConfigKey SEMCONV_STABILITY_OPT_IN = list("otel.semconv-stability.opt-in", null,
        "`database/dup`: database spans also carry the older attribute names (`db.system`, `db.statement`, `db.name`,"
            + " `db.operation`, `db.sql.table`) beside the stable ones");
    public static final ConfigKey SERVER_IGNORE_PATHS = list("plume.http.server.ignore.paths", null,
        "request paths that make no SERVER span and propagate nothing: exact paths, or prefixes ending in `*`"
            + " (`/actuator/health*,/ping`)");
    public static final ConfigKey METHODS_INCLUDE = string("otel.instrumentation.methods.include", null,
        "methods that get an INTERNAL span per call, named `Class.method`:"
            + " `my.pkg.Class[method1,method2];my.pkg.Other[*]` (`*`: every method the class declares); a class names"
            + " its subtypes' methods too, so an interface or abstract class names its implementations'");
    public static final ConfigKey ANNOTATIONS_EXCLUDE_METHODS = string(
        "otel.instrumentation.opentelemetry-instrumentation-annotations.exclude-methods", null,
        "`@WithSpan` (`io.opentelemetry.instrumentation.annotations`) methods that get no span, written as the key"
            + " above (`my.pkg.Class[method1,method2]`)");
    public static final ConfigKey EXTENSION_ANNOTATIONS_EXCLUDE_METHODS = string(
        "otel.instrumentation.opentelemetry-extension-annotations.exclude-methods", null,
        "as the key above, for the older `io.opentelemetry.extension.annotations.WithSpan`");

    // ---- Plume's own export settings
    public static final ConfigKey MAX_IN_FLIGHT = integer("plume.exporter.max.in.flight", 2, 1, 64,
        "export requests in flight at once");
    public static final ConfigKey MAX_REQUEST_SIZE = bytes("plume.exporter.max.request.size", 1L << 20, "`1m`",
        4L << 10, 64L << 20, "an export request is sent once its spans' encoded size reaches this, with fewer spans"
            + " than the batch size if need be (before compression; OTLP/gRPC backends refuse messages over 4 MiB by"
            + " default; two payload arrays of about this size, at most 8 MiB each, are kept from batch to batch)");
    public static final ConfigKey QUEUE_SIZE = bytes("plume.exporter.queue.size", 16L << 20, "`16m`", 64L << 10,
        1L << 31, "encoded batches kept in memory while the backend is slow or away; when full, the oldest batch goes"
            + " to the spool, or is dropped (and counted) without one, so the newest spans survive an incident");
    public static final ConfigKey QUEUE_BATCHES = integer("plume.exporter.queue.batches", 256, 1, 1 << 16,
        "the same bound, in batches");
    public static final ConfigKey RETRY_MAX_ATTEMPTS = integer("plume.exporter.retry.max.attempts", 5, 1, 1000,
        "answered attempts per batch for retryable answers (429, 502, 503, 504, retryable gRPC codes); a backend that"
            + " cannot be reached or does not answer uses none of them");
    public static final ConfigKey RETRY_INITIAL_BACKOFF = duration("plume.exporter.retry.initial.backoff", 1000,
        "`1s`", 1, "first retry delay when the server names none (`Retry-After` and `RetryInfo` are honoured)");
    public static final ConfigKey RETRY_MAX_BACKOFF = duration("plume.exporter.retry.max.backoff", 5000, "`5s`", 1,
        "longest retry delay computed by the exponential backoff with jitter");
    public static final ConfigKey SHUTDOWN_UNREACHABLE_TIMEOUT = duration(
        "plume.exporter.shutdown.unreachable.timeout", 2000, "`2s`", 0,
        "at JVM exit, once the backend has not answered for this long, the agent stops waiting for it (what it holds"
            + " goes to the spool, or is dropped and counted)");
    public static final ConfigKey SPOOL_DIR = path("plume.exporter.spool.dir",
        "a directory for encoded batches the memory queue cannot keep during an outage and at exit; sent, oldest"
            + " first, when the backend answers again, also by the next run; off when unset");
    public static final ConfigKey SPOOL_SIZE = bytes("plume.exporter.spool.size", 256L << 20, "`256m`", 1L << 20,
        1L << 40, "most bytes the spool holds; when full, its oldest batches are dropped (and counted)");
    public static final ConfigKey SAMPLER_TARGET_RATE = decimal("plume.sampler.target.spans.per.second", 0, 0, 1e9,
        "adaptive sampling in the exporter: keeps a trace-consistent fraction of traces so the export rate tracks this"
            + " target; ERROR spans are always kept").shownAs("off");
    public static final ConfigKey RING_BUFFER_SIZE = bytes("plume.ring.buffer.size", SpanRing.DEFAULT_CAPACITY, "`8m`",
        SpanRing.MIN_CAPACITY, SpanRing.MAX_CAPACITY, "off-heap buffer between application threads and the exporter (rounded down to a power of two);"
            + " when full, spans are dropped and counted, never waited for; the application threads' 16 KB stages in"
            + " front of it take at most half as much again, on the heap");

    /** Every key, in the README's order. */
    public static final List<ConfigKey> ALL = List.of(
        JAVAAGENT_ENABLED, SDK_DISABLED, CONFIGURATION_FILE, JAVAAGENT_DEBUG, PLUME_DEBUG, ADD_THREAD_DETAILS,
        SERVICE_NAME, RESOURCE_ATTRIBUTES,
        TRACES_EXPORTER, OTLP_ENDPOINT, OTLP_TRACES_ENDPOINT, OTLP_PROTOCOL, OTLP_TRACES_PROTOCOL, OTLP_CERTIFICATE,
        OTLP_TRACES_CERTIFICATE, OTLP_CLIENT_KEY, OTLP_TRACES_CLIENT_KEY, OTLP_CLIENT_CERTIFICATE,
        OTLP_TRACES_CLIENT_CERTIFICATE, OTLP_HEADERS, OTLP_TRACES_HEADERS, OTLP_COMPRESSION, OTLP_TRACES_COMPRESSION,
        OTLP_TIMEOUT, OTLP_TRACES_TIMEOUT,
        BSP_SCHEDULE_DELAY, BSP_MAX_EXPORT_BATCH_SIZE, BSP_EXPORT_TIMEOUT,
        TRACES_SAMPLER, TRACES_SAMPLER_ARG, ATTRIBUTE_COUNT_LIMIT, SPAN_ATTRIBUTE_COUNT_LIMIT, SPAN_EVENT_COUNT_LIMIT,
        EVENT_ATTRIBUTE_COUNT_LIMIT, SPAN_LINK_COUNT_LIMIT, LINK_ATTRIBUTE_COUNT_LIMIT, ATTRIBUTE_VALUE_LENGTH_LIMIT,
        SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
        INSTRUMENTATION_DEFAULT_ENABLED, INSTRUMENTATION_ENABLED, EXCLUDE_CLASSES, DB_STATEMENT_SANITIZER,
        LOGGING_TRACE_ID, LOGGING_SPAN_ID, LOGGING_TRACE_FLAGS, MESSAGING_RECEIVE_TELEMETRY, PROPAGATORS,
        SEMCONV_STABILITY_OPT_IN,
        SERVER_IGNORE_PATHS, METHODS_INCLUDE, ANNOTATIONS_EXCLUDE_METHODS, EXTENSION_ANNOTATIONS_EXCLUDE_METHODS,
        MAX_IN_FLIGHT, MAX_REQUEST_SIZE, QUEUE_SIZE, QUEUE_BATCHES, RETRY_MAX_ATTEMPTS, RETRY_INITIAL_BACKOFF,
        RETRY_MAX_BACKOFF, SHUTDOWN_UNREACHABLE_TIMEOUT, SPOOL_DIR, SPOOL_SIZE, SAMPLER_TARGET_RATE, RING_BUFFER_SIZE);

    /** The {@code otel.exporter.otlp.traces.*} sibling of a general OTLP key: it wins over the general one. */
    private static ConfigKey traces(ConfigKey general) {
        return general.variant(general.name().replace(OTLP_, TRACES_),
            "as `" + general.name() + "`, for traces only (wins over it)");
    }

    /** {@code otel.instrumentation.<name>.enabled} for one instrumentation name. */
    public static ConfigKey instrumentationEnabled(String instrumentationName) {
        return INSTRUMENTATION_ENABLED.named("otel.instrumentation." + instrumentationName + ".enabled");
    }

    /** The declaration of a key name, family members included, or null when the agent does not read it. */
    public static ConfigKey find(String name) {
        for (ConfigKey key : ALL) {
            if (key.name().equals(name)) {
                return key;
            }
        }
        if (name.startsWith("otel.instrumentation.") && name.endsWith(".enabled")) {
            return instrumentationEnabled(name.substring("otel.instrumentation.".length(),
                name.length() - ".enabled".length()));
        }
        return null;
    }
}

package dev.plume.smoke.otelapi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A service that traces itself through the OpenTelemetry API (1.0 API calls only, so one source builds against the
 * oldest and the newest API), annotates a method with {@code @WithSpan} and logs with Logback
 * ({@code trace_id=%X{trace_id} span_id=%X{span_id}}); a JDK HTTP server on {@code app.port} (default 0).
 *
 * <p>{@code GET /api/order}: sets an attribute on {@code Span.current()} (the server span an agent opened); starts
 * {@code process-order} with attributes of every type and makes it current; inside it logs a line, ends a root span
 * {@code audit} it links to, records {@code charge-card} (CLIENT, explicit start and end, an event with attributes, an
 * exception, ERROR status, a link with an attribute), calls {@code /api/stock} with the JDK HttpClient with baggage
 * {@code app.tenant=acme} current, hands {@code reserve-stock} to a thread pool, runs the {@code @WithSpan} method
 * {@code Inventory.count}, injects the current context into a map with the global propagators and starts
 * {@code from-remote} under a context extracted from a fixed {@code traceparent}. The body lists the ids it saw.
 * {@code GET /api/stock}: puts the baggage's tenant on its server span ({@code Span.current()}) and logs it.
 */
public final class OtelApiApp {
    static final Logger LOG = LoggerFactory.getLogger(OtelApiApp.class);
    static final String REMOTE_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private OtelApiApp() {
    }

    public static void main(String[] args) throws IOException {
        Tracer tracer = GlobalOpenTelemetry.getTracer("otel-api-app", "1.2.3");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        HttpClient client = HttpClient.newHttpClient();
        Inventory inventory = new Inventory();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("app.port", 0)), 64);
        int port;
        server.createContext("/api/order", exchange -> {
            try {
                respond(exchange, 200, order(tracer, pool, client, inventory, exchange.getLocalAddress().getPort()));
            } catch (Exception e) {
                LOG.error("order failed", e);
                respond(exchange, 500, e.toString());
            }
        });
        server.createContext("/api/stock", exchange -> {
            String tenant = Baggage.current().getEntryValue("app.tenant");
            Span.current().setAttribute("app.tenant", tenant == null ? "none" : tenant);
            LOG.info("stock for tenant {}", tenant);
            respond(exchange, 200, "tenant=" + tenant);
        });
        server.setExecutor(Executors.newFixedThreadPool(4)); // /api/order calls /api/stock on this server
        server.start();
        port = server.getAddress().getPort();
        LOG.info("ready on port {}", port);
        System.out.println("LISTENING " + port);
        System.out.flush();
    }

    private static String order(Tracer tracer, ExecutorService pool, HttpClient client, Inventory inventory, int port)
        throws Exception {
        StringBuilder out = new StringBuilder();
        Span server = Span.current();
        server.setAttribute("app.order.id", 42L);
        out.append("server=").append(server.getSpanContext().getSpanId()).append('\n');
        Span order = tracer.spanBuilder("process-order")
            .setAttribute("app.string", "s")
            .setAttribute("app.long", 7L)
            .setAttribute("app.double", 2.5)
            .setAttribute("app.bool", true)
            .setAttribute(AttributeKey.stringArrayKey("app.strings"), Arrays.asList("a", "b"))
            .setAttribute(AttributeKey.longArrayKey("app.longs"), Arrays.asList(1L, 2L))
            .setAttribute(AttributeKey.doubleArrayKey("app.doubles"), Arrays.asList(0.5, 1.5))
            .setAttribute(AttributeKey.booleanArrayKey("app.bools"), Arrays.asList(true, false))
            .startSpan();
        out.append("order=").append(order.getSpanContext().getSpanId()).append('\n');
        try (Scope ignored = order.makeCurrent()) {
            LOG.info("processing order");
            out.append("current=").append(Span.current().getSpanContext().getSpanId()).append('\n');

            Span audit = tracer.spanBuilder("audit").setNoParent().startSpan();
            audit.end();
            long start = System.currentTimeMillis() - 20;
            Span charge = tracer.spanBuilder("charge-card")
                .setSpanKind(SpanKind.CLIENT)
                .addLink(audit.getSpanContext(), Attributes.of(AttributeKey.stringKey("link.reason"), "audited-by"))
                .setStartTimestamp(start, TimeUnit.MILLISECONDS)
                .startSpan();
            charge.addEvent("card-checked", Attributes.of(AttributeKey.longKey("card.digits"), 4L,
                AttributeKey.booleanKey("card.valid"), false));
            charge.recordException(new IllegalStateException("card declined"));
            charge.setStatus(StatusCode.ERROR, "declined");
            charge.end(start + 7, TimeUnit.MILLISECONDS);

            try (Scope withTenant = Baggage.current().toBuilder().put("app.tenant", "acme").build().makeCurrent()) {
                HttpResponse<String> stock = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/stock")).build(), HttpResponse.BodyHandlers.ofString());
                out.append("stock=").append(stock.body()).append('\n');
            }

            pool.submit(() -> {
                Span reserve = tracer.spanBuilder("reserve-stock").startSpan();
                try (Scope inPool = reserve.makeCurrent()) {
                    LOG.info("reserving stock");
                } finally {
                    reserve.end();
                }
            }).get(10, TimeUnit.SECONDS);

            out.append("count=").append(inventory.count("widget", 3)).append('\n');

            TextMapPropagator propagator = GlobalOpenTelemetry.getPropagators().getTextMapPropagator();
            Map<String, String> headers = new HashMap<>();
            propagator.inject(Context.current(), headers, Map::put);
            out.append("injected=").append(headers.get("traceparent")).append('\n');
            Context remote = propagator.extract(Context.root(), Map.of("traceparent", REMOTE_TRACEPARENT), MapGetter.INSTANCE);
            tracer.spanBuilder("from-remote").setParent(remote).startSpan().end();
        } finally {
            order.end();
        }
        return out.toString();
    }

    /** A class of the application's with an annotated method. */
    static final class Inventory {
        @WithSpan("count-stock")
        int count(@SpanAttribute("app.item") String item, @SpanAttribute("app.wanted") long wanted) {
            LOG.info("counting {}", item);
            return (int) wanted * 2;
        }
    }

    private enum MapGetter implements TextMapGetter<Map<String, String>> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

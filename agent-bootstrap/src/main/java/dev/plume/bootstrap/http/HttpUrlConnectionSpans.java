package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.context.WeakIdentityMap;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.HttpURLConnection;

/**
 * One CLIENT span per request of a {@link HttpURLConnection} (the JDK's implementation, and through it
 * {@code HttpsURLConnection}), however the application drives it: the span starts at the first of {@code connect},
 * {@code getOutputStream} and {@code getInputStream}, which is also the last moment request headers can be set, and
 * ends when {@code getInputStream} first returns or throws (every way of reading a response goes through it:
 * {@code getResponseCode}, {@code getHeaderField}, error streams), or when connecting or opening the body fails.
 *
 * <p>The span lives from one call to another, so the connection holds it: in the field the agent gives the JDK's class
 * when it loads ({@link ContextCarrier}), or, for a class loaded before the agent, in a weak identity map. After its
 * request the connection holds {@link #TRACED}, so reading the response again starts nothing. The span is detached: the
 * application's work between those calls is not its child.
 */
public final class HttpUrlConnectionSpans {
    private static final int SCOPE = InstrumentationScope.HTTP_URL_CONNECTION;
    /** What a connection holds once its request's span has ended. */
    private static final Object TRACED = new Object();
    private static final WeakIdentityMap<Object> WITHOUT_FIELD = new WeakIdentityMap<>();

    private HttpUrlConnectionSpans() {
    }

    /**
     * Entering {@code connect}, {@code getOutputStream} ({@code output}) or {@code getInputStream}: returns the call
     * depth to hand to {@link #exit}; the outermost call of a connection not yet traced starts its span and sets the
     * propagators' headers on it.
     */
    public static int enter(HttpURLConnection connection, boolean output) {
        int depth = Tracer.enterCall(SCOPE);
        try {
            if (depth == 0 && connection != null && state(connection) == null) {
                SpanSlot enclosing = HttpSpans.enclosingClient();
                if (enclosing != null) {
                    // part of another library's HTTP call: its span is the one, its context goes out here
                    setState(connection, TRACED);
                    SpanSlot sent = HttpSpans.sentContext(enclosing, null);
                    if (sent != null) {
                        inject(connection, sent);
                    }
                    return depth;
                }
                String method = connection.getRequestMethod();
                if (output && "GET".equals(method)) {
                    method = "POST"; // what getOutputStream makes of a GET
                }
                SpanSlot span = HttpSpans.startClient(SCOPE, method, connection.getURL(), true);
                if (span != null) {
                    setState(connection, span);
                    inject(connection, span);
                }
            }
        } catch (Throwable t) {
            // the depth still goes back to the advice, so the matching exit knows which call this was
            PlumeLog.warnRateLimited("url-connection-start", "could not start an HttpURLConnection span: " + t);
        }
        return depth;
    }

    private static void inject(HttpURLConnection connection, SpanSlot span) {
        try {
            for (int i = 0; i < Propagation.outgoingCount(); i++) {
                String value = Propagation.outgoingValue(i, span);
                if (value != null) {
                    connection.setRequestProperty(Propagation.outgoingName(i), value);
                }
            }
        } catch (IllegalStateException alreadyConnected) {
            // connected by a path the agent does not see: the request goes out as the application made it
        }
    }

    /**
     * Leaving a call {@link #enter} entered: the outermost {@code getInputStream} ({@code response}) ends the span with
     * the response's status, as does any outermost call that threw (a refused connection).
     */
    public static void exit(HttpURLConnection connection, int depth, boolean response, Throwable error) {
        try {
            if (depth != 0 || connection == null || (!response && error == null)) {
                return;
            }
            Object state = state(connection);
            if (!(state instanceof SpanSlot)) {
                return;
            }
            setState(connection, TRACED);
            SpanSlot span = (SpanSlot) state;
            int status = -1;
            String protocol = null;
            if (response) {
                status = statusOf(connection, error);
                if (status > 0) {
                    protocol = HttpSemantics.clientProtocolVersion(connection.getHeaderField(0));
                }
            }
            // a status says what went wrong; the exception getInputStream throws for it (the URL) adds nothing
            HttpSpans.endClient(span, status, protocol, 0, status > 0 ? null : error);
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("url-connection-end", "could not end an HttpURLConnection span: " + t);
        } finally {
            Tracer.exitCall(SCOPE);
        }
    }

    /** The connection follows a redirect within its request's span: one more resend. */
    public static void redirected(HttpURLConnection connection) {
        Object state = connection != null ? state(connection) : null;
        if (state instanceof SpanSlot) {
            HttpSpans.clientResent((SpanSlot) state);
        }
    }

    /**
     * The status, read where it is already known: after a response (also one {@code getInputStream} threw for, 404 and
     * up) the connection has it; a failure without a response has none, and asking would send the request again.
     */
    private static int statusOf(HttpURLConnection connection, Throwable error) {
        if (error != null && !(error instanceof FileNotFoundException)
            && !(error instanceof IOException && error.getMessage() != null
            && error.getMessage().startsWith("Server returned HTTP response code"))) {
            return -1;
        }
        try {
            return connection.getResponseCode();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Object state(HttpURLConnection connection) {
        if (connection instanceof ContextCarrier) {
            return ((ContextCarrier) connection).plume$getContext();
        }
        return WITHOUT_FIELD.get(connection);
    }

    private static void setState(HttpURLConnection connection, Object state) {
        if (connection instanceof ContextCarrier) {
            ((ContextCarrier) connection).plume$setContext(state);
            return;
        }
        WITHOUT_FIELD.put(connection, state);
    }
}

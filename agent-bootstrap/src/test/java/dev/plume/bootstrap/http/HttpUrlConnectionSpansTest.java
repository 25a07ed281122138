package dev.plume.bootstrap.http;

import dev.plume.bootstrap.record.DecodedSpan;
import dev.plume.bootstrap.record.RecordingFixture;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The span's life across a connection's calls, for a connection class without the agent's field (one loaded before the
 * agent): held in the weak map, started by the first call, ended once by the first response read.
 */
class HttpUrlConnectionSpansTest {
    private final RecordingFixture recording = RecordingFixture.standard();

    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void connectThenReadIsOneSpanWithTheHeadersSetBeforeItIsSent() throws Exception {
        FakeConnection connection = new FakeConnection(
            new URL("http://user:pw@example.com:8080/p?sig=abc&x=1"), 404);
        int depth = HttpUrlConnectionSpans.enter(connection, false); // connect
        HttpUrlConnectionSpans.exit(connection, depth, false, null);
        assertTrue(recording.drain().isEmpty(), "connecting ends nothing");
        assertNotNull(connection.getRequestProperty("traceparent"), "injected before the request is sent");

        depth = HttpUrlConnectionSpans.enter(connection, false); // getResponseCode -> getInputStream
        int inner = HttpUrlConnectionSpans.enter(connection, false); // a nested read
        HttpUrlConnectionSpans.exit(connection, inner, true, null);
        HttpUrlConnectionSpans.exit(connection, depth, true, new FileNotFoundException(connection.getURL().toString()));
        depth = HttpUrlConnectionSpans.enter(connection, false); // reading the status again
        HttpUrlConnectionSpans.exit(connection, depth, true, null);

        List<DecodedSpan> spans = recording.drain();
        assertEquals(1, spans.size(), spans.toString());
        DecodedSpan span = spans.get(0);
        assertEquals("GET", span.name());
        assertEquals("http://REDACTED:REDACTED@example.com:8080/p?sig=REDACTED&x=1", span.attributes().get("url.full"));
        assertEquals("example.com", span.attributes().get("server.address"));
        assertEquals(8080L, span.attributes().get("server.port"));
        assertEquals(404L, span.attributes().get("http.response.status_code"));
        assertEquals("404", span.attributes().get("error.type"));
        assertEquals("1.1", span.attributes().get("network.protocol.version"));
        assertEquals(StatusCode.ERROR, span.statusCode());
        assertTrue(span.events().isEmpty(), "the status says it all: " + span.events());
        assertTrue(connection.getRequestProperty("traceparent").contains(Long.toHexString(span.spanId())),
            "the header names the span");
    }

    @Test
    void aRefusedConnectionEndsTheSpanWithTheExceptionAndABodyMakesAPost() throws Exception {
        FakeConnection connection = new FakeConnection(new URL("http://127.0.0.1:1/x"), -1);
        connection.setDoOutput(true);
        int depth = HttpUrlConnectionSpans.enter(connection, true); // getOutputStream of a GET
        HttpUrlConnectionSpans.exit(connection, depth, false, new ConnectException("Connection refused"));
        depth = HttpUrlConnectionSpans.enter(connection, false);
        HttpUrlConnectionSpans.exit(connection, depth, true, new ConnectException("Connection refused"));

        List<DecodedSpan> spans = recording.drain();
        assertEquals(1, spans.size(), spans.toString());
        DecodedSpan span = spans.get(0);
        assertEquals("POST", span.name());
        assertEquals("java.net.ConnectException", span.attributes().get("error.type"));
        assertEquals(StatusCode.ERROR, span.statusCode());
        assertEquals(1, span.events().size());
        assertEquals(1L, span.attributes().get("server.port"));
    }

    /** A connection that answers from fields; {@code setRequestProperty} works until it is connected. */
    private static final class FakeConnection extends HttpURLConnection {
        private final int status;

        FakeConnection(URL url, int status) {
            super(url);
            this.status = status;
        }

        @Override
        public void connect() {
            connected = true;
        }

        @Override
        public int getResponseCode() {
            return status;
        }

        @Override
        public String getHeaderField(int n) {
            return n == 0 && status > 0 ? "HTTP/1.1 " + status + " Whatever" : null;
        }

        @Override
        public void disconnect() {
        }

        @Override
        public boolean usingProxy() {
            return false;
        }
    }
}

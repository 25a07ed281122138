package dev.plume.export.otlp;

import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * OTLP/HTTP with binary protobuf: one {@code POST application/x-protobuf} per batch to the traces URL, through OkHttp
 * (pooled connections, HTTP/2 where the server negotiates it over TLS, HTTP/1.1 otherwise), optionally
 * gzip-compressed. Calls run on OkHttp's threads; every failure is returned as a {@link SendResult}, never thrown.
 */
public final class HttpProtobufSender implements TraceSender {
    private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
    /** Error bodies are read this far and no further: they explain, they are not data. */
    static final int MAX_RESPONSE_BYTES = 4096;

    private final LazyClient client;
    private final HttpUrl url;
    private final Headers headers;
    private final long timeoutMillis;
    private final GzipCompressor gzip;

    public HttpProtobufSender(OtlpExporterSettings settings, String agentVersion) {
        this(settings, null, agentVersion);
    }

    HttpProtobufSender(OtlpExporterSettings settings, OtlpTls tls, String agentVersion) {
        this.url = HttpUrl.get(settings.url());
        this.timeoutMillis = settings.timeoutMillis();
        this.gzip = settings.gzip() ? new GzipCompressor() : null;
        Headers.Builder builder = OtlpHttpClient.headers(settings.headers(), agentVersion);
        if (settings.gzip()) {
            builder.set("Content-Encoding", "gzip");
        }
        this.headers = builder.build();
        List<Protocol> protocols = List.of(Protocol.HTTP_2, Protocol.HTTP_1_1);
        this.client = new LazyClient(() -> OtlpHttpClient.build(settings, tls, protocols));
    }

    @Override
    public Payload prepare(byte[] request, int length, PayloadPool pool) {
        return OtlpHttpClient.payload(request, length, gzip, 0, pool);
    }

    @Override
    public Payload prepare(OtlpTraceEncoder encoder, PayloadPool pool) {
        if (gzip != null) {
            return TraceSender.super.prepare(encoder, pool);
        }
        Payload payload = PayloadPool.take(pool, encoder.requestLength());
        encoder.writeRequest(payload.array(), 0);
        return payload;
    }

    @Override
    public int payloadFormat() {
        return PayloadFormat.of(false, gzip != null);
    }

    @Override
    public void send(Payload payload, long timeoutMillis, Consumer<SendResult> done) {
        Call call;
        try {
            Request httpRequest = new Request.Builder()
                .url(url)
                .headers(headers)
                .post(OtlpHttpClient.body(payload, PROTOBUF))
                .build();
            call = client.get().newCall(httpRequest);
            call.timeout().timeout(Math.max(1, Math.min(this.timeoutMillis, timeoutMillis)), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            done.accept(SendResult.failed(0, OtlpHttpClient.describe(e), false));
            return;
        }
        OtlpHttpClient.enqueue(call, HttpProtobufSender::answer,
            (code, message) -> SendResult.failed(code, message, false), done);
    }

    private static SendResult answer(Response response) throws IOException {
        int status = response.code();
        byte[] buffer = new byte[MAX_RESPONSE_BYTES];
        int read;
        ResponseBody body = response.body();
        try (InputStream in = body.byteStream()) {
            read = OtlpHttpClient.readBounded(in, buffer);
        } catch (IOException e) {
            if (status >= 200 && status < 300) {
                throw e;
            }
            read = 0; // the status already says what matters
        }
        if (status >= 200 && status < 300) {
            return SendResult.delivered(status, OtlpResponseBody.rejectedSpans(buffer, read),
                OtlpResponseBody.partialSuccessMessage(buffer, read));
        }
        String contentType = response.header("Content-Type");
        boolean retryable = SendResult.isRetryableStatus(status);
        return SendResult.failed(status, OtlpResponseBody.errorMessage(buffer, read, contentType), retryable,
            retryable ? retryAfterMillis(response.header("Retry-After"), System.currentTimeMillis()) : -1);
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date, in milliseconds from {@code nowMillis}; -1 if absent. */
    static long retryAfterMillis(String value, long nowMillis) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? -1 : Math.min(seconds, Long.MAX_VALUE / 1000) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, Duration.between(Instant.ofEpochMilli(nowMillis), at).toMillis());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    @Override
    public void shutdown() {
        client.shutdown();
        if (gzip != null) {
            gzip.close();
        }
    }
}

package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/HTTP with binary protobuf: one {@code POST application/x-protobuf} per batch to the traces URL, through OkHttp
 * (pooled connections, HTTP/2 where the server offers it over TLS), optionally gzip-compressed. Runs on the exporter
 * thread and blocks it for at most the timeout; every failure is returned as a {@link SendResult}, never thrown.
 */
public final class HttpProtobufSender implements TraceSender {
    private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
    /** Error bodies are read this far and no further: they explain, they are not data. */
    static final int MAX_RESPONSE_BYTES = 4096;

    private final OkHttpClient client;
    private final HttpUrl url;
    private final Headers headers;
    private final long timeoutMillis;
    private final GzipCompressor gzip;
    private final byte[] responseBuffer = new byte[MAX_RESPONSE_BYTES];

    public HttpProtobufSender(OtlpExporterSettings settings, String agentVersion) {
        this.url = settings.url();
        this.timeoutMillis = settings.timeoutMillis();
        this.gzip = settings.gzip() ? new GzipCompressor() : null;
        this.headers = headers(settings.headers(), agentVersion, settings.gzip());
        this.client = new OkHttpClient.Builder()
            .callTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .writeTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .followRedirects(false)
            .build();
    }

    private static Headers headers(Map<String, String> configured, String agentVersion, boolean gzip) {
        Headers.Builder builder = new Headers.Builder();
        builder.set("User-Agent", "plume-agent/" + (agentVersion == null ? "unknown" : agentVersion));
        for (Map.Entry<String, String> header : configured.entrySet()) {
            try {
                builder.set(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                // the exception message may quote the value, which may be a secret
                PlumeLog.warn("invalid header \"" + OtlpResponseBody.sanitize(header.getKey())
                    + "\" in otel.exporter.otlp.headers (names and values must be visible ASCII); header skipped");
            }
        }
        if (gzip) {
            builder.set("Content-Encoding", "gzip");
        }
        return builder.build();
    }

    @Override
    public SendResult send(byte[] request, int length, long timeoutMillis) {
        byte[] body = request;
        int bodyLength = length;
        if (gzip != null) {
            gzip.compress(request, 0, length);
            body = gzip.array();
            bodyLength = gzip.length();
        }
        Request httpRequest = new Request.Builder()
            .url(url)
            .headers(headers)
            .post(RequestBody.create(body, PROTOBUF, 0, bodyLength))
            .build();
        Call call = client.newCall(httpRequest);
        call.timeout().timeout(Math.max(1, Math.min(this.timeoutMillis, timeoutMillis)), TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            int status = response.code();
            ResponseBody responseBody = response.body();
            int read = readBounded(responseBody);
            if (status >= 200 && status < 300) {
                return SendResult.delivered(status, OtlpResponseBody.rejectedSpans(responseBuffer, read),
                    OtlpResponseBody.partialSuccessMessage(responseBuffer, read));
            }
            String contentType = response.header("Content-Type");
            return SendResult.failed(status, OtlpResponseBody.errorMessage(responseBuffer, read, contentType),
                SendResult.isRetryableStatus(status));
        } catch (IOException | RuntimeException e) {
            return SendResult.failed(0, describe(e), !(e instanceof RuntimeException));
        }
    }

    private int readBounded(ResponseBody body) {
        int read = 0;
        try (InputStream in = body.byteStream()) {
            while (read < responseBuffer.length) {
                int n = in.read(responseBuffer, read, responseBuffer.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (IOException e) {
            // the status already says what matters
        }
        return read;
    }

    private static String describe(Exception e) {
        String what = e instanceof ConnectException ? "cannot connect"
            : e instanceof InterruptedIOException ? "timed out" : e.getClass().getSimpleName();
        String message = e.getMessage();
        return message == null ? what : what + ": " + OtlpResponseBody.sanitize(message);
    }

    @Override
    public void shutdown() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        if (gzip != null) {
            gzip.close();
        }
    }
}

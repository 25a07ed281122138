package dev.plume.export.otlp;

import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * OTLP/gRPC: the unary {@code TraceService/Export} call over OkHttp's HTTP/2 (prior knowledge for {@code http://},
 * ALPN for {@code https://}), with the gRPC length-prefixed message framing and the status read from the trailers,
 * or from the headers of a trailers-only response. No gRPC library: the framing is five bytes.
 */
public final class GrpcSender implements TraceSender {
    static final String EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private static final MediaType GRPC = MediaType.get("application/grpc");
    /** Response messages are read this far and no further (a partial success is a few bytes). */
    static final int MAX_RESPONSE_BYTES = 64 << 10;
    private static final int FRAME_HEADER = 5;

    static final int OK = 0;
    static final int CANCELLED = 1;
    static final int UNKNOWN = 2;
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int ABORTED = 10;
    static final int OUT_OF_RANGE = 11;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int DATA_LOSS = 15;
    static final int UNAUTHENTICATED = 16;

    private final LazyClient client;
    private final HttpUrl url;
    private final Headers headers;
    private final long timeoutMillis;
    private final GzipCompressor gzip;

    GrpcSender(OtlpExporterSettings settings, OtlpTls tls, String agentVersion) {
        this.url = HttpUrl.get(settings.url()).newBuilder().encodedPath(EXPORT_PATH).query(null).build();
        this.timeoutMillis = settings.timeoutMillis();
        this.gzip = settings.gzip() ? new GzipCompressor() : null;
        Headers.Builder builder = OtlpHttpClient.headers(settings.headers(), agentVersion)
            .set("te", "trailers");
        if (settings.gzip()) {
            builder.set("grpc-encoding", "gzip");
        }
        this.headers = builder.build();
        List<Protocol> protocols = url.isHttps()
            ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)
            : List.of(Protocol.H2_PRIOR_KNOWLEDGE);
        this.client = new LazyClient(() -> OtlpHttpClient.build(settings, tls, protocols));
    }

    /** One gRPC message: compressed flag, big-endian length, then the (possibly gzip-compressed) request. */
    @Override
    public Payload prepare(byte[] request, int length, PayloadPool pool) {
        Payload payload = OtlpHttpClient.payload(request, length, gzip, FRAME_HEADER, pool);
        frameHeader(payload.array(), payload.length() - FRAME_HEADER, gzip != null);
        return payload;
    }

    @Override
    public Payload prepare(OtlpTraceEncoder encoder, PayloadPool pool) {
        if (gzip != null) {
            return TraceSender.super.prepare(encoder, pool);
        }
        int messageLength = encoder.requestLength();
        Payload payload = PayloadPool.take(pool, FRAME_HEADER + messageLength);
        frameHeader(payload.array(), messageLength, false);
        encoder.writeRequest(payload.array(), FRAME_HEADER);
        return payload;
    }

    /** Writes a gRPC frame header for a message of {@code messageLength} bytes at the start of {@code payload}. */
    private static void frameHeader(byte[] payload, int messageLength, boolean compressed) {
        payload[0] = (byte) (compressed ? 1 : 0);
        payload[1] = (byte) (messageLength >>> 24);
        payload[2] = (byte) (messageLength >>> 16);
        payload[3] = (byte) (messageLength >>> 8);
        payload[4] = (byte) messageLength;
    }

    @Override
    public int payloadFormat() {
        return PayloadFormat.of(true, gzip != null);
    }

    @Override
    public void send(Payload payload, long timeoutMillis, Consumer<SendResult> done) {
        long timeout = Math.max(1, Math.min(this.timeoutMillis, timeoutMillis));
        Call call;
        try {
            Request request = new Request.Builder()
                .url(url)
                .headers(headers)
                .header("grpc-timeout", timeout + "m")
                .post(OtlpHttpClient.body(payload, GRPC))
                .build();
            call = client.get().newCall(request);
            call.timeout().timeout(timeout, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            done.accept(SendResult.failed(0, OtlpHttpClient.describe(e), false));
            return;
        }
        OtlpHttpClient.enqueue(call, GrpcSender::answer,
            (code, message) -> status(INTERNAL, message, code, null), done);
    }

    private static SendResult answer(Response response) throws IOException {
        int http = response.code();
        if (http != 200) {
            // not a gRPC answer (a proxy, or not a gRPC server): the gRPC HTTP status mapping applies
            return status(fromHttpStatus(http), "HTTP " + http, http, null);
        }
        Headers headers = response.headers();
        String code = headers.get("grpc-status");
        byte[] body = new byte[MAX_RESPONSE_BYTES];
        int read = 0;
        if (code == null) {
            // the message, then the trailers: the body must be read to its end before the trailers are there
            try (InputStream in = response.body().byteStream()) {
                read = OtlpHttpClient.readBounded(in, body);
                if (read == body.length) {
                    return status(INTERNAL, "response message larger than " + MAX_RESPONSE_BYTES + " bytes", http,
                        null);
                }
            }
            headers = response.trailers();
            code = headers.get("grpc-status");
        }
        if (code == null) {
            return status(INTERNAL, "no grpc-status in the response", http, null);
        }
        int status;
        try {
            status = Integer.parseInt(code.trim());
        } catch (NumberFormatException e) {
            return status(INTERNAL, "malformed grpc-status", http, null);
        }
        if (status == OK) {
            return delivered(body, read, response.headers().get("grpc-encoding"));
        }
        String message = OtlpResponseBody.sanitize(percentDecode(headers.get("grpc-message")));
        return status(status, message, http, statusDetails(headers.get("grpc-status-details-bin")));
    }

    private static SendResult delivered(byte[] body, int read, String encoding) {
        if (read < FRAME_HEADER) {
            return SendResult.delivered(200, 0, "");
        }
        int length = ((body[1] & 0xFF) << 24) | ((body[2] & 0xFF) << 16) | ((body[3] & 0xFF) << 8) | (body[4] & 0xFF);
        if (length < 0 || length > read - FRAME_HEADER) {
            return SendResult.delivered(200, 0, ""); // accepted; the unreadable response cannot take that back
        }
        byte[] message = body;
        int from = FRAME_HEADER;
        if (body[0] == 1 && "gzip".equalsIgnoreCase(encoding)) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body, FRAME_HEADER, length))) {
                message = new byte[MAX_RESPONSE_BYTES];
                length = OtlpHttpClient.readBounded(in, message);
                from = 0;
            } catch (IOException e) {
                return SendResult.delivered(200, 0, "");
            }
        } else if (body[0] != 0) {
            return SendResult.delivered(200, 0, "");
        }
        byte[] response = from == 0 ? message : java.util.Arrays.copyOfRange(message, from, from + length);
        return SendResult.delivered(200, OtlpResponseBody.rejectedSpans(response, length),
            OtlpResponseBody.partialSuccessMessage(response, length));
    }

    /** A failed call with this gRPC status; the OTLP specification says which codes are worth retrying. */
    static SendResult status(int code, String message, int http, byte[] details) {
        long retryDelay = details == null ? -1 : OtlpResponseBody.retryDelayMillis(details, details.length);
        boolean retryable = switch (code) {
            case CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS -> true;
            case RESOURCE_EXHAUSTED -> retryDelay >= 0; // only when the server says when to come back
            default -> false;
        };
        String text = name(code) + (message == null || message.isEmpty() ? "" : " \"" + message + "\"");
        return new SendResult(false, http, code, 0, text, retryable, retryable ? retryDelay : -1, false);
    }

    /** The gRPC code for an HTTP status that did not come from a gRPC server (gRPC's HTTP-to-status mapping). */
    static int fromHttpStatus(int http) {
        return switch (http) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 429, 502, 503, 504 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    static String name(int code) {
        return switch (code) {
            case OK -> "OK";
            case CANCELLED -> "CANCELLED";
            case UNKNOWN -> "UNKNOWN";
            case 3 -> "INVALID_ARGUMENT";
            case DEADLINE_EXCEEDED -> "DEADLINE_EXCEEDED";
            case 5 -> "NOT_FOUND";
            case 6 -> "ALREADY_EXISTS";
            case PERMISSION_DENIED -> "PERMISSION_DENIED";
            case RESOURCE_EXHAUSTED -> "RESOURCE_EXHAUSTED";
            case 9 -> "FAILED_PRECONDITION";
            case ABORTED -> "ABORTED";
            case OUT_OF_RANGE -> "OUT_OF_RANGE";
            case UNIMPLEMENTED -> "UNIMPLEMENTED";
            case INTERNAL -> "INTERNAL";
            case UNAVAILABLE -> "UNAVAILABLE";
            case DATA_LOSS -> "DATA_LOSS";
            case UNAUTHENTICATED -> "UNAUTHENTICATED";
            default -> "gRPC status " + code;
        };
    }

    /** {@code grpc-status-details-bin}: a base64 (padding optional) {@code google.rpc.Status}, or null. */
    private static byte[] statusDetails(String value) {
        if (value == null || value.isEmpty() || value.length() > 4 * MAX_RESPONSE_BYTES) {
            return null;
        }
        try {
            // the decoder takes the padding as optional, as gRPC sends it
            return Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code grpc-message} is percent-encoded UTF-8; a malformed escape is kept as it is. */
    static String percentDecode(String value) {
        if (value == null || value.indexOf('%') < 0) {
            return value == null ? "" : value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()
                && Character.digit(value.charAt(i + 1), 16) >= 0 && Character.digit(value.charAt(i + 2), 16) >= 0) {
                bytes.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void shutdown() {
        client.shutdown();
        if (gzip != null) {
            gzip.close();
        }
    }
}

package dev.plume.export.otlp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a payload is put on the wire: OTLP/HTTP or a gRPC message frame, plain or gzip. A spooled batch records its
 * format, so a later run configured otherwise (another protocol, compression switched) can still send it.
 */
final class PayloadFormat {
    static final int HTTP = 0;
    static final int HTTP_GZIP = 1;
    static final int GRPC = 2;
    static final int GRPC_GZIP = 3;
    private static final int GRPC_FRAME_HEADER = 5;
    /** A spooled payload never inflates past this (a request is far smaller; more means a corrupt or hostile file). */
    private static final int MAX_REQUEST_BYTES = 256 << 20;

    private PayloadFormat() {
    }

    static int of(boolean grpc, boolean gzip) {
        return (grpc ? GRPC : HTTP) + (gzip ? 1 : 0);
    }

    /** The payload in format {@code to}; the same array when the formats agree. Not for the hot path: spool only. */
    static byte[] convert(byte[] payload, int from, int to) throws IOException {
        if (from == to) {
            return payload;
        }
        byte[] request = request(payload, from);
        boolean gzip = to == HTTP_GZIP || to == GRPC_GZIP;
        byte[] body = gzip ? gzip(request) : request;
        if (to == HTTP || to == HTTP_GZIP) {
            return body;
        }
        byte[] framed = new byte[GRPC_FRAME_HEADER + body.length];
        framed[0] = (byte) (gzip ? 1 : 0);
        framed[1] = (byte) (body.length >>> 24);
        framed[2] = (byte) (body.length >>> 16);
        framed[3] = (byte) (body.length >>> 8);
        framed[4] = (byte) body.length;
        System.arraycopy(body, 0, framed, GRPC_FRAME_HEADER, body.length);
        return framed;
    }

    /** The plain {@code ExportTraceServiceRequest} inside a payload. */
    private static byte[] request(byte[] payload, int format) throws IOException {
        byte[] body = payload;
        if (format == GRPC || format == GRPC_GZIP) {
            if (payload.length < GRPC_FRAME_HEADER) {
                throw new IOException("gRPC frame too short");
            }
            body = java.util.Arrays.copyOfRange(payload, GRPC_FRAME_HEADER, payload.length);
        } else if (format != HTTP && format != HTTP_GZIP) {
            throw new IOException("unknown payload format " + format);
        }
        if (format == HTTP_GZIP || format == GRPC_GZIP) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
                byte[] chunk = new byte[16 << 10];
                for (int n; (n = in.read(chunk)) > 0; ) {
                    out.write(chunk, 0, n);
                    if (out.size() > MAX_REQUEST_BYTES) {
                        throw new IOException("payload inflates past " + MAX_REQUEST_BYTES + " bytes");
                    }
                }
                return out.toByteArray();
            }
        }
        return body;
    }

    private static byte[] gzip(byte[] request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, request.length / 4));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(request);
        }
        return out.toByteArray();
    }
}

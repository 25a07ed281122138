package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The one OkHttp client of a sender: pooled connections reused across batches, calls on Plume's own daemon threads
 * (OkHttp's default dispatcher threads would hold the JVM), and the configured TLS material. Shared helpers for both
 * senders live here too.
 */
final class OtlpHttpClient {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private OtlpHttpClient() {
    }

    /**
     * A client for these settings.
     *
     * @param protocols the protocols to offer; for cleartext gRPC, {@link Protocol#H2_PRIOR_KNOWLEDGE} alone
     */
    static OkHttpClient build(OtlpExporterSettings settings, OtlpTls tls, List<Protocol> protocols) {
        int maxInFlight = settings.delivery().maxInFlight();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "plume-otlp-call-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                thread.setContextClassLoader(OtlpHttpClient.class.getClassLoader());
                return thread;
            });
        Dispatcher dispatcher = new Dispatcher(executor);
        dispatcher.setMaxRequests(maxInFlight);
        dispatcher.setMaxRequestsPerHost(maxInFlight);
        long timeout = settings.timeoutMillis();
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(Math.max(2, maxInFlight), 5, TimeUnit.MINUTES))
            .socketFactory(NoDelaySocketFactory.INSTANCE)
            .protocols(protocols)
            .callTimeout(timeout, TimeUnit.MILLISECONDS)
            .connectTimeout(timeout, TimeUnit.MILLISECONDS)
            .readTimeout(timeout, TimeUnit.MILLISECONDS)
            .writeTimeout(timeout, TimeUnit.MILLISECONDS)
            // a retry is the send queue's decision, with backoff and counting, not OkHttp's
            .retryOnConnectionFailure(false)
            .followRedirects(false);
        if (tls != null) {
            builder.sslSocketFactory(tls.context().getSocketFactory(), tls.trustManager());
        }
        return builder.build();
    }

    /** The User-Agent and the configured headers; a header OkHttp refuses is reported by name only. */
    static Headers.Builder headers(Map<String, String> configured, String agentVersion) {
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
        return builder;
    }

    /** Reads an answer into a result; may fail reading the body. */
    interface AnswerReader {
        SendResult read(Response response) throws IOException;
    }

    /**
     * A payload holding {@code request[0, length)}, gzip-compressed when {@code gzip} is given, from {@code offset}
     * (room for a frame header before it), in an array from {@code pool}.
     */
    static Payload payload(byte[] request, int length, GzipCompressor gzip, int offset, PayloadPool pool) {
        byte[] bytes = request;
        int count = length;
        if (gzip != null) {
            gzip.compress(request, 0, length);
            bytes = gzip.array();
            count = gzip.length();
        }
        Payload payload = PayloadPool.take(pool, offset + count);
        System.arraycopy(bytes, 0, payload.array(), offset, count);
        return payload;
    }

    /** How much of a payload goes into the sink at a time (see {@link #body}). */
    static final int BODY_CHUNK = 16 * 1024;

    /**
     * A request body writing {@code payload} into the connection a chunk at a time. OkHttp's own byte-array body
     * writes it whole: its sink copies all of it into 8 KB buffer segments before sending any, and a 1 MiB batch
     * needs 128 of them, past what the segment pool keeps (64 KB), so each request allocated its size again and copied
     * it out of cache. A chunk at a time, each chunk's segments go to the socket and back to the pool before the next.
     */
    static RequestBody body(Payload payload, MediaType type) {
        byte[] bytes = payload.array();
        int length = payload.length();
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return type;
            }

            @Override
            public long contentLength() {
                return length;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                for (int at = 0; at < length; at += BODY_CHUNK) {
                    sink.write(bytes, at, Math.min(BODY_CHUNK, length - at));
                }
            }
        };
    }

    /**
     * Sends the call on the client's own threads. Every outcome reaches {@code done} exactly once: a transport failure,
     * the answer as {@code reader} reads it, or, if reading it fails unexpectedly, {@code unreadable(status, message)}.
     */
    static void enqueue(Call call, AnswerReader reader, BiFunction<Integer, String, SendResult> unreadable,
                        Consumer<SendResult> done) {
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                done.accept(failure(e));
            }

            @Override
            public void onResponse(Call answered, Response response) {
                SendResult result;
                try (response) {
                    result = reader.read(response);
                } catch (IOException e) {
                    result = failure(e);
                } catch (RuntimeException e) {
                    result = unreadable.apply(response.code(), describe(e));
                }
                done.accept(result);
            }
        });
    }

    /**
     * A transport failure: the backend did not answer, so the batch is kept (within the queue's bound) and retried
     * without using up an attempt. A TLS failure is kept too: it is fixed by configuration or by the server's
     * certificate, and the spans should still be there when it is.
     */
    static SendResult failure(IOException e) {
        if (e instanceof ConnectException || e instanceof UnknownHostException || e instanceof NoRouteToHostException) {
            return SendResult.unreachable(describe(e));
        }
        return SendResult.failed(0, describe(e), true);
    }

    static String describe(Exception e) {
        String what = e instanceof ConnectException ? "cannot connect"
            : e instanceof UnknownHostException ? "unknown host"
            : e instanceof SSLException ? "TLS failure"
            : e instanceof InterruptedIOException ? "timed out" : e.getClass().getSimpleName();
        String message = e.getMessage();
        return message == null ? what : what + ": " + OtlpResponseBody.sanitize(message);
    }

    /** Reads at most {@code into.length} bytes; the rest of the body is left unread. */
    static int readBounded(InputStream in, byte[] into) throws IOException {
        int read = 0;
        while (read < into.length) {
            int n = in.read(into, read, into.length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    static void shutdown(OkHttpClient client) {
        client.dispatcher().cancelAll();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}

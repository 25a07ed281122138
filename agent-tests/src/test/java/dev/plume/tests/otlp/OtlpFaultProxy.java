package dev.plume.tests.otlp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP/HTTP peer with faults, on a fixed port of 127.0.0.1: it forwards to a real receiver when healthy, and
 * otherwise refuses connections, answers 503 or 429 (with or without {@code Retry-After}), answers slowly, accepts and
 * never answers, resets the connection in the middle of a response, or answers bytes that are not HTTP. A mode change
 * closes the connections open at the time, so the next request meets the new mode.
 */
public final class OtlpFaultProxy implements AutoCloseable {
    /** What the peer does with the next request. */
    public enum Mode {
        FORWARD, REFUSE, UNAVAILABLE, UNAVAILABLE_RETRY_AFTER, TOO_MANY_REQUESTS, TOO_MANY_REQUESTS_RETRY_AFTER,
        SLOW, NEVER_ANSWER, RESET_MID_RESPONSE, GARBAGE
    }

    private static final long SLOW_MILLIS = 3_000;

    private final int port;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Mode mode;
    private volatile ServerSocket server;
    private volatile boolean closed;

    private OtlpFaultProxy(int port, int targetPort, Mode mode) {
        this.port = port;
        this.targetPort = targetPort;
        this.mode = mode;
    }

    /** A peer on a free port in front of the receiver on {@code targetPort}, starting in {@code mode}. */
    public static OtlpFaultProxy start(int targetPort, Mode mode) {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OtlpFaultProxy proxy = new OtlpFaultProxy(port, targetPort, mode);
        proxy.mode(mode);
        return proxy;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Requests that reached the peer in a fault mode (forwarded ones are the receiver's to count). */
    public int faultyRequests() {
        return requests.get();
    }

    public Mode mode() {
        return mode;
    }

    /** Switches mode: open connections are closed; REFUSE closes the listening socket, any other mode opens it. */
    public synchronized void mode(Mode next) {
        mode = next;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
        if (next == Mode.REFUSE) {
            if (server != null) {
                closeQuietly(server);
                server = null;
            }
        } else if (server == null && !closed) {
            try {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                server = socket;
                Thread acceptor = new Thread(() -> accept(socket), "otlp-fault-proxy-" + port);
                acceptor.setDaemon(true);
                acceptor.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + port + " again", e);
            }
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                open.add(client);
                Thread handler = new Thread(() -> serve(client), "otlp-fault-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            if (mode == Mode.FORWARD) {
                forward(client);
                return;
            }
            if (mode == Mode.GARBAGE) {
                // at once, before any request: an HTTP client reads no status line, a TLS client no ServerHello
                requests.incrementAndGet();
                byte[] noise = new byte[512];
                ThreadLocalRandom.current().nextBytes(noise);
                client.getOutputStream().write(noise);
                client.getOutputStream().flush();
                return;
            }
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (!client.isClosed()) {
                if (!readRequest(in)) {
                    return;
                }
                Mode now = mode;
                if (now == Mode.FORWARD) {
                    return; // the client comes back on a new connection
                }
                requests.incrementAndGet();
                switch (now) {
                    case UNAVAILABLE -> answer(out, "503 Service Unavailable", null);
                    case UNAVAILABLE_RETRY_AFTER -> answer(out, "503 Service Unavailable", "1");
                    case TOO_MANY_REQUESTS -> answer(out, "429 Too Many Requests", null);
                    case TOO_MANY_REQUESTS_RETRY_AFTER -> answer(out, "429 Too Many Requests", "1");
                    case SLOW -> {
                        Thread.sleep(SLOW_MILLIS);
                        answer(out, "503 Service Unavailable", null);
                    }
                    case NEVER_ANSWER -> {
                        while (mode == Mode.NEVER_ANSWER && !client.isClosed()) {
                            Thread.sleep(50);
                        }
                        return;
                    }
                    case RESET_MID_RESPONSE -> {
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 400\r\n"
                            + "\r\n\u0000\u0001").getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        client.setSoLinger(true, 0); // close with a reset
                        return;
                    }
                    default -> {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // the client went away, or the mode changed under us
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(client);
        }
    }

    /** Reads one HTTP/1.1 request (headers, then a Content-Length body); false at the end of the stream. */
    private static boolean readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) { // the blank line after the headers
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes((int) length);
        return true;
    }

    private static void answer(OutputStream out, String status, String retryAfter) throws IOException {
        String response = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
            + (retryAfter != null ? "Retry-After: " + retryAfter + "\r\n" : "") + "\r\nbusy";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private void forward(Socket client) throws IOException {
        try (Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            open.add(target);
            Thread back = new Thread(() -> pipe(target, client), "otlp-fault-proxy-back");
            back.setDaemon(true);
            back.start();
            pipe(client, target);
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    private static void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 << 10];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (SocketException e) {
            // closed by a mode change or by the other side
        } catch (IOException e) {
            // same
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        mode(Mode.REFUSE);
    }
}

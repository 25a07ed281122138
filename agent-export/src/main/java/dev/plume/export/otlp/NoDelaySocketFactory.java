package dev.plume.export.otlp;

import javax.net.SocketFactory;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;

/**
 * Plain sockets with Nagle's algorithm off. An export request is a small write followed by a wait for the answer;
 * with Nagle on, its last segment can wait for the peer's delayed ACK (tens of milliseconds), which capped the
 * pipeline at a few requests a second per connection. TLS sockets are layered on these, so they inherit it. The
 * sockets OkHttp makes ({@link #createSocket()}) also gather small writes until a flush ({@link CoalescingSocket}).
 */
final class NoDelaySocketFactory extends SocketFactory {
    static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

    private NoDelaySocketFactory() {
    }

    /** Bytes written to the socket are gathered up to this many before a system call (or up to a flush). */
    static final int WRITE_BUFFER_BYTES = 64 * 1024;

    @Override
    public Socket createSocket() throws SocketException {
        return noDelay(new CoalescingSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
        return noDelay(new Socket(address, port, localAddress, localPort));
    }

    private static Socket noDelay(Socket socket) throws SocketException {
        socket.setTcpNoDelay(true);
        return socket;
    }

    /**
     * A socket whose writes are gathered until a flush. OkHttp hands a request body to the socket in 8 KB segments,
     * one {@code write} system call each, and with Nagle off each goes out at once and wakes the receiver: a 150 KB
     * batch was 19 calls and as many wake-ups on both sides. OkHttp flushes at the end of every request (HTTP/1.1)
     * and after its frames (HTTP/2), and TLS flushes after each record it must send, so nothing waits in the buffer
     * for an answer that depends on it.
     */
    static final class CoalescingSocket extends Socket {
        private OutputStream out;

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new BufferedOutputStream(super.getOutputStream(), WRITE_BUFFER_BYTES);
            }
            return out;
        }
    }
}

package dev.plume.tests.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One persistent HTTP/1.1 connection that sends GETs and reads whole responses, with just enough parsing for the JDK
 * server (status line, {@code Content-Length}, or {@code Connection: close}). Far cheaper per request than a general
 * client, so the load generator leaves as much of the machine as it can to the application.
 */
final class HttpConnection implements AutoCloseable {

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private final byte[] buffer = new byte[16 * 1024];
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int start;
    private int end;
    private boolean closeAfterResponse;

    HttpConnection(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    static byte[] getRequest(String host, int port, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUser-Agent: plume-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends a request made by {@link #getRequest} and returns the status code; the body is read and discarded. */
    int exchange(byte[] request) throws IOException {
        return exchange(request, null);
    }

    /** As {@link #exchange(byte[])}, appending the body to {@code body} when it is not null. */
    int exchange(byte[] request, StringBuilder body) throws IOException {
        if (socket == null) {
            connect();
        }
        out.write(request);
        out.flush();
        int status = readResponse(body);
        if (closeAfterResponse) {
            close();
        }
        return status;
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
        start = 0;
        end = 0;
    }

    private int readResponse(StringBuilder body) throws IOException {
        String statusLine = readLine();
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        closeAfterResponse = statusLine.startsWith("HTTP/1.0");
        String line;
        while (!(line = readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closeAfterResponse = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new IOException("chunked responses are not supported by the load generator");
            }
        }
        if (contentLength < 0) {
            // no length: the body runs to the end of the connection
            while (fill()) {
                consume(end - start, body);
            }
            closeAfterResponse = true;
        } else {
            long left = contentLength;
            while (left > 0) {
                if (start == end && !fill()) {
                    throw new IOException("connection closed in the body");
                }
                int take = (int) Math.min(left, end - start);
                consume(take, body);
                left -= take;
            }
        }
        return status;
    }

    private void consume(int count, StringBuilder body) {
        if (body != null) {
            body.append(new String(buffer, start, count, StandardCharsets.ISO_8859_1));
        }
        start += count;
    }

    private String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n') {
                    int lineEnd = i > start && buffer[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buffer, start, lineEnd - start, StandardCharsets.ISO_8859_1);
                    start = i + 1;
                    return line == null ? part : line.append(part).toString();
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            line.append(new String(buffer, start, end - start, StandardCharsets.ISO_8859_1));
            start = end;
            if (!fill()) {
                throw new IOException("connection closed in the headers");
            }
        }
    }

    /** Reads more bytes into the buffer; returns false at the end of the stream. */
    private boolean fill() throws IOException {
        if (start == end) {
            start = 0;
            end = 0;
        } else if (end == buffer.length) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        int read = in.read(buffer, end, buffer.length - end);
        if (read < 0) {
            return false;
        }
        end += read;
        return true;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do: the connection is gone either way
            }
            socket = null;
        }
    }
}

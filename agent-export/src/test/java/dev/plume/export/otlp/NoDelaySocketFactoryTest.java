package dev.plume.export.otlp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sockets the OTLP client makes: Nagle off, and writes gathered until a flush. */
@Timeout(30) // a guard against hangs, not a speed assertion
class NoDelaySocketFactoryTest {

    @Test
    void writesWaitForTheFlushAndArriveWhole() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = NoDelaySocketFactory.INSTANCE.createSocket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            assertTrue(client.getTcpNoDelay(), "Nagle off");
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(200);
                InputStream in = peer.getInputStream();
                OutputStream out = client.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                assertThrows(SocketTimeoutException.class, in::read, "nothing is sent before the flush");
                out.flush();
                byte[] small = new byte[3];
                assertTrue(in.readNBytes(small, 0, 3) == 3);
                assertArrayEquals(new byte[] {1, 2, 3}, small);

                // a body larger than the buffer, in OkHttp's 8 KB segments, arrives intact and in order
                byte[] body = new byte[NoDelaySocketFactory.WRITE_BUFFER_BYTES * 2 + 1_000];
                for (int i = 0; i < body.length; i++) {
                    body[i] = (byte) (i * 31);
                }
                for (int at = 0; at < body.length; at += 8192) {
                    out.write(body, at, Math.min(8192, body.length - at));
                }
                out.flush();
                peer.setSoTimeout(10_000);
                byte[] received = in.readNBytes(body.length);
                assertTrue(Arrays.equals(body, received), "the body arrived as written");
            }
        }
    }
}

package dev.plume.tests.smoke;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The database and broker servers of the machine the tests use (PostgreSQL, MariaDB, Redis, ...). */
final class LocalServers {
    private LocalServers() {
    }

    /** Whether something accepts connections on 127.0.0.1:{@code port} (within a second). */
    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

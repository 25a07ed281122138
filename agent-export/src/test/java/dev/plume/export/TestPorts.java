package dev.plume.export;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a server a test starts later than it names it (a collector that comes up late). A port the kernel hands
 * out for {@code bind(0)} is in the ephemeral range, where every outgoing connection in the meantime (the agent's
 * refused attempts, the test's own requests) may take it as its local port; this one is chosen below that range.
 */
public final class TestPorts {
    private static final int LOWEST = 20_000;

    private TestPorts() {
    }

    /** A loopback port that is free now and outside the range outgoing connections take their local ports from. */
    public static int freeForLaterBind() throws IOException {
        int below = ephemeralRangeStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = below > LOWEST + 1_000 ? random.nextInt(LOWEST, below) : random.nextInt(LOWEST, 30_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // taken: try another
            }
        }
        throw new IOException("no free loopback port found below " + below);
    }

    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException notLinux) {
            return 32_768; // Linux's default; other systems start theirs higher
        }
    }
}

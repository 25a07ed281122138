package dev.plume.bootstrap;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a resource stream to its end with a loop of Plume's own, never {@link InputStream#readAllBytes}: the agent
 * reads thousands of class files while it starts and matches, and calls of the JDK's method would teach the JIT that
 * its inner {@code read} sees zip, jrt and jar streams. An application that reads request bodies with that method then
 * gets it compiled as a megamorphic call that is not inlined into its handler (measured on http-app's {@code /hello}:
 * {@code readNBytes} "already compiled into a medium method" under the agent, inlined without it).
 */
public final class ResourceBytes {
    private ResourceBytes() {
    }

    /** Everything {@code in} has left; the caller closes it. */
    public static byte[] read(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                byte[] larger = new byte[buffer.length * 2];
                System.arraycopy(buffer, 0, larger, 0, length);
                buffer = larger;
            }
            int read = in.read(buffer, length, buffer.length - length);
            if (read < 0) {
                break;
            }
            length += read;
        }
        if (length == buffer.length) {
            return buffer;
        }
        byte[] exact = new byte[length];
        System.arraycopy(buffer, 0, exact, 0, length);
        return exact;
    }
}

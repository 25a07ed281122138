package dev.plume.agent;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Reads one entry of the agent jar with a loop of Plume's own, never {@link InputStream#readAllBytes}: premain reads
 * hundreds of entries, and calls of the JDK's method would compile its inner {@code read} as a megamorphic call before
 * the application first reads a request body with it (see {@code dev.plume.bootstrap.ResourceBytes}, the same rule for
 * code that runs after the runtime is defined).
 */
final class JarEntryBytes {
    private JarEntryBytes() {
    }

    static byte[] read(JarFile jar, JarEntry entry) throws IOException {
        long size = entry.getSize();
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IOException(entry.getName() + " has no usable size in the agent jar (" + size + ")");
        }
        byte[] bytes = new byte[(int) size];
        try (InputStream in = jar.getInputStream(entry)) {
            int length = 0;
            while (length < bytes.length) {
                int read = in.read(bytes, length, bytes.length - length);
                if (read < 0) {
                    throw new EOFException(entry.getName() + " ended after " + length + " of " + size + " bytes");
                }
                length += read;
            }
        }
        return bytes;
    }
}

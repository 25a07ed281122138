package dev.plume.bootstrap;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ResourceBytesTest {

    @Test
    void readsEveryByteOfStreamsShorterLongerAndExactlyItsBuffer() throws IOException {
        for (int size : new int[] {0, 1, 8191, 8192, 8193, 100_000}) {
            byte[] content = new byte[size];
            new Random(size).nextBytes(content);
            assertArrayEquals(content, ResourceBytes.read(new ByteArrayInputStream(content)), "size " + size);
        }
    }

    @Test
    void keepsReadingAfterShortReads() throws IOException {
        byte[] content = new byte[20_000];
        new Random(7).nextBytes(content);
        InputStream trickle = new ByteArrayInputStream(content) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3)); // as a slow inflater or socket would
            }
        };
        byte[] read = ResourceBytes.read(trickle);
        assertEquals(content.length, read.length);
        assertArrayEquals(content, read);
    }
}

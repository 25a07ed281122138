package dev.plume.bootstrap.record;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The UTF-8 writer's fast path (compact strings read in place, copied by words with an overlapping tail) against the
 * JDK's own encoder, at every length around the word boundaries and with the non-ASCII byte at every position.
 */
class Utf8Test {
    private static final byte CANARY = 0x5A;

    @Test
    void compactStringsAreReadInPlaceOnThisJdk() {
        // If a JDK changes String's layout this fails, so that the benchmarks are not silently measuring the slow path.
        assertTrue(Utf8.fastPathEnabled(), "the Latin-1 fast path is off on " + Runtime.version());
    }

    @Test
    void everyLengthAndEveryNonAsciiPositionMatchesTheJdk() {
        List<String> strings = new ArrayList<>();
        for (int length = 0; length <= 40; length++) {
            String ascii = ascii(length);
            strings.add(ascii);
            for (int at = 0; at < length; at++) {
                for (char c : new char[] {'é', 'ÿ', '\u0080', '日', '\u00A0'}) {
                    strings.add(ascii.substring(0, at) + c + ascii.substring(at + 1));
                }
            }
        }
        strings.add("日本語 テキスト 😀 and ascii");
        strings.add("emoji at the end 😀");
        strings.add("lone high \uD83D then text");
        strings.add("lone low \uDE00");
        for (String s : strings) {
            assertEncodes(s, s.length(), expected(s));
        }
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String s = "ab😀";
        int kept = Utf8.keptChars(s, 3);
        assertEquals(2, kept);
        assertEncodes(s, kept, "ab".getBytes(StandardCharsets.UTF_8));
        assertEncodes("plain ascii text", 5, "plain".getBytes(StandardCharsets.UTF_8));
        assertEncodes("ünïcödé latin-1", 9, "ünïcödé l".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWritePastTheLimitThrowsAndWritesNothingBeyondIt() {
        for (String s : new String[] {"0123456789abcdef-ascii", "latin-1 é", "日本語"}) {
            int length = Utf8.encodedLength(s, s.length());
            byte[] memory = new byte[length + 8];
            Arrays.fill(memory, CANARY);
            UnsafeBuffer buffer = new UnsafeBuffer(memory);
            long start = buffer.addressOffset();
            assertThrows(IllegalStateException.class,
                () -> Utf8.write(buffer.byteArray(), start, start + length - 1, s, s.length()), s);
            for (int i = length - 1; i < memory.length; i++) {
                assertEquals(CANARY, memory[i], "byte " + i + " past the limit was written for " + s);
            }
        }
    }

    private static void assertEncodes(String s, int chars, byte[] expected) {
        assertEquals(expected.length, Utf8.encodedLength(s, chars), () -> "measured length of " + s);
        // on the heap and off it, with a canary after the end to catch a word written too far
        UnsafeBuffer heap = new UnsafeBuffer(new byte[expected.length + 16]);
        UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(expected.length + 16));
        for (UnsafeBuffer buffer : new UnsafeBuffer[] {heap, direct}) {
            buffer.setMemory(0, buffer.capacity(), CANARY);
            long start = buffer.addressOffset() + 3;
            long end = Utf8.write(buffer.byteArray(), start, start + expected.length, s, chars);
            assertEquals(expected.length, end - start, () -> "written length of " + s);
            byte[] written = new byte[expected.length];
            buffer.getBytes(3, written);
            assertArrayEquals(expected, written, () -> "bytes of " + s);
            assertEquals(CANARY, buffer.getByte(3 + expected.length), () -> "byte after " + s);
        }
    }

    /** What the JDK's encoder gives, which also writes a lone surrogate as '?'. */
    private static byte[] expected(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String ascii(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + i % 26));
        }
        return text.toString();
    }
}

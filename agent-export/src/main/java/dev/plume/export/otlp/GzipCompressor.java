package dev.plume.export.otlp;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip (RFC 1952) into a reusable array with one reusable {@link Deflater}, so compressing a batch creates no
 * streams or native deflaters. Call {@link #close()} to free the deflater's native memory.
 */
final class GzipCompressor {
    private static final int HEADER_LENGTH = 10;
    private static final int TRAILER_LENGTH = 8;

    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final CRC32 crc = new CRC32();
    private byte[] out = new byte[16 << 10];
    private int length;

    /** Compresses {@code input[offset, offset + count)}; the result is {@link #array()} up to {@link #length()}. */
    void compress(byte[] input, int offset, int count) {
        deflater.reset();
        crc.reset();
        crc.update(input, offset, count);
        ensure(HEADER_LENGTH);
        // magic, deflate, no flags, no time, no extra flags, unknown OS
        out[0] = 0x1f;
        out[1] = (byte) 0x8b;
        out[2] = 8;
        Arrays.fill(out, 3, 9, (byte) 0);
        out[9] = (byte) 0xff;
        length = HEADER_LENGTH;
        deflater.setInput(input, offset, count);
        deflater.finish();
        while (!deflater.finished()) {
            ensure(1024);
            length += deflater.deflate(out, length, out.length - length);
        }
        ensure(TRAILER_LENGTH);
        putIntLittleEndian((int) crc.getValue());
        putIntLittleEndian(count);
    }

    byte[] array() {
        return out;
    }

    int length() {
        return length;
    }

    void close() {
        deflater.end();
    }

    private void putIntLittleEndian(int value) {
        for (int i = 0; i < 4; i++) {
            out[length++] = (byte) value;
            value >>>= 8;
        }
    }

    private void ensure(int more) {
        if (length + more > out.length) {
            out = Arrays.copyOf(out, Math.max(length + more, out.length * 2));
        }
    }
}

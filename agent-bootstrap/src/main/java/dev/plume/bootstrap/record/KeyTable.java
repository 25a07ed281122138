package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.SpanLimits;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The attribute keys registered by instrumentation ({@code AttributeKey.of}), held once as UTF-8 so that a record
 * carries a registered key as a 4-byte id instead of its bytes: the writer neither measures nor copies it, and the
 * record is smaller. Append-only and bounded; when it is full, keys are written inline as before.
 *
 * <p>Visibility: a key's bytes are written before its id exists, the id reaches a writer thread inside the
 * {@code AttributeKey} (a final field of a safely published object), and the exporter reads the table only for ids it
 * found in records, which the ring hands over with release/acquire ordering.
 */
public final class KeyTable {
    /** Most keys the table holds; instrumentation registers a few dozen. */
    public static final int MAX_KEYS = 1024;
    private static final int MAX_BYTES = 64 * 1024;

    private static final UnsafeBuffer BYTES = new UnsafeBuffer(new byte[MAX_BYTES]);
    private static final int[] OFFSETS = new int[MAX_KEYS];
    private static final int[] LENGTHS = new int[MAX_KEYS];
    /** Written last under the lock, read without it: an id below it has its bytes in place. */
    private static volatile int count;
    private static int used;

    private KeyTable() {
    }

    /** Adds a key and returns its id, or -1 when the table is full (the key is then written inline). */
    public static synchronized int register(String name) {
        byte[] utf8 = name.substring(0, Utf8.keptChars(name, SpanLimits.MAX_NAME_LENGTH))
            .getBytes(StandardCharsets.UTF_8);
        if (count == MAX_KEYS || used + utf8.length > MAX_BYTES) {
            return -1;
        }
        BYTES.putBytes(used, utf8);
        int id = count;
        OFFSETS[id] = used;
        LENGTHS[id] = utf8.length;
        used += utf8.length;
        count = id + 1;
        return id;
    }

    /** Whether {@code id} was handed out (the exporter checks every id it reads from a record). */
    static boolean isRegistered(int id) {
        return id >= 0 && id < count;
    }

    static DirectBuffer bytes() {
        return BYTES;
    }

    static int offset(int id) {
        return OFFSETS[id];
    }

    static int length(int id) {
        return LENGTHS[id];
    }
}

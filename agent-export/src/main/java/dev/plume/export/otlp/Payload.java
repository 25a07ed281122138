package dev.plume.export.otlp;

/**
 * A batch as it goes on the wire: the first {@link #length()} bytes of {@link #array()}. The array may be longer and
 * may come from the sender's {@link PayloadPool}, to which {@link #release()} gives it back once nothing reads it any
 * more (delivered, dropped, or written to the spool); a payload that is never released is simply collected.
 */
final class Payload {
    private final byte[] array;
    private final int length;
    private final PayloadPool pool;

    Payload(byte[] array, int length, PayloadPool pool) {
        if (length < 0 || length > array.length) {
            throw new IllegalArgumentException("payload of " + length + " bytes in an array of " + array.length);
        }
        this.array = array;
        this.length = length;
        this.pool = pool;
    }

    /** A payload that is all of {@code bytes}, owned by no pool. */
    static Payload of(byte[] bytes) {
        return new Payload(bytes, bytes.length, null);
    }

    byte[] array() {
        return array;
    }

    int length() {
        return length;
    }

    /**
     * Gives the array back to its pool for a later batch. Only once nothing will read this payload again: not while a
     * call may still be writing it to a connection.
     */
    void release() {
        if (pool != null) {
            pool.give(array);
        }
    }
}

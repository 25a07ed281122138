package dev.plume.export.otlp;

/**
 * Payload arrays kept from one batch to the next. A new array for every batch costs the exporter thread its zeroing
 * (the JVM zeroes an array too large for a thread's allocation buffer in its slow path, whatever asked for it) and, past
 * half a G1 region, a humongous allocation outside the young generation; a kept one is written over. Arrays are sized
 * up to a multiple of {@link #GRANULE} so that one fits the batches after it, and at most {@code keep} arrays of at
 * most {@code largestKept} bytes are held, the largest ones. Taken on the exporter thread, given back by the send queue
 * on the sender's threads.
 */
final class PayloadPool {
    static final int GRANULE = 64 << 10;

    private final byte[][] kept;
    private final int largestKept;
    private int count;

    /**
     * @param keep        arrays held at most (0: none, every payload is a new array)
     * @param largestKept a larger array is not kept
     */
    PayloadPool(int keep, int largestKept) {
        this.kept = new byte[keep][];
        this.largestKept = largestKept;
    }

    /** A payload of {@code length} bytes from {@code pool}, or in a new array of that length when there is none. */
    static Payload take(PayloadPool pool, int length) {
        return pool != null ? pool.take(length) : new Payload(new byte[length], length, null);
    }

    /** A payload of {@code length} bytes whose content the caller writes: a kept array when one is long enough. */
    Payload take(int length) {
        byte[] array = null;
        synchronized (this) {
            for (int i = 0; i < count; i++) {
                if (kept[i].length >= length) {
                    array = kept[i];
                    kept[i] = kept[--count];
                    kept[count] = null;
                    break;
                }
            }
        }
        if (array == null) {
            long rounded = ((long) length + GRANULE - 1) / GRANULE * GRANULE;
            array = new byte[rounded <= largestKept ? (int) rounded : length];
        }
        return new Payload(array, length, this);
    }

    /** Keeps {@code array} for a later batch if there is room, or in place of a smaller kept one. */
    synchronized void give(byte[] array) {
        if (array.length > largestKept || kept.length == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            if (kept[i] == array) {
                return; // given back twice: keep it once
            }
        }
        if (count < kept.length) {
            kept[count++] = array;
            return;
        }
        int smallest = 0;
        for (int i = 1; i < count; i++) {
            if (kept[i].length < kept[smallest].length) {
                smallest = i;
            }
        }
        if (kept[smallest].length < array.length) {
            kept[smallest] = array;
        }
    }

    /** Arrays held now (for tests). */
    synchronized int kept() {
        return count;
    }
}

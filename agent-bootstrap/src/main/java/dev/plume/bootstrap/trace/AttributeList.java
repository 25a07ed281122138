package dev.plume.bootstrap.trace;

/**
 * Typed attributes in parallel primitive arrays, reused for the life of the slot that owns them. String values are
 * held by reference (the application already owns them); numbers live in {@code bits}; array values (a
 * {@code String[]}, {@code long[]}, {@code double[]} or {@code boolean[]} the caller handed over) are held by reference
 * in {@code arrays}, a column made on the first array value. Entries from {@code count} on are stale: they keep the
 * previous span's strings until overwritten (see {@link #clear}); array references are let go at clear.
 */
public final class AttributeList {
    /** Each entry's key at {@code 2i} and its string value at {@code 2i + 1}: one cache line per 8 entries. */
    Object[] refs;
    /**
     * Each entry's key hash (cached by String; high 32 bits), its key id in the key table plus one, 0 for a key written
     * as a string (bits 8–31), and its type (low 8 bits): a key is compared with {@code equals} only on a hash match,
     * and setting or writing an entry touches one number.
     */
    long[] meta;
    long[] bits;
    /** Array values by entry, null until a first array is set: scalar-only lists never touch it. */
    Object[] arrays;
    /** Whether an array was set since the last {@link #clear}, so clear knows to let go of them. */
    private boolean holdsArrays;
    int count;
    int dropped;
    /**
     * One bit per key hash's low six bits, of every key set since the last clear: a key whose bit is clear is new, so
     * a span's attributes are set without comparing each key with those before it.
     */
    private long keyBloom;
    /**
     * An upper bound of the entries' size in a span record (three bytes a char, every entry set counted, a replaced one
     * twice), kept as they are set so that writing the record needs no pass to measure them (SpanRecordCodec#bound).
     */
    private long recordBound;

    AttributeList(int initialCapacity) {
        refs = new Object[2 * initialCapacity];
        meta = new long[initialCapacity];
        bits = new long[initialCapacity];
    }

    /**
     * Empties the list. The references stay in the arrays: the next span usually sets the same keys (and often the same
     * values) in the same order, and {@link #put} then skips the store. On G1 a stored reference costs a write barrier
     * with a fence when it crosses heap regions, and that fence also waits for the record's writes into the ring.
     */
    void clear() {
        if (holdsArrays) {
            // arrays are the caller's, handed over for this span only: do not keep them alive in a pooled slot
            java.util.Arrays.fill(arrays, null);
            holdsArrays = false;
        }
        count = 0;
        dropped = 0;
        keyBloom = 0;
        recordBound = 0;
    }

    private static long meta(int hash, int keyId, byte type) {
        return ((long) hash << 32) | ((long) ((keyId + 1) & 0xFF_FFFF) << 8) | (type & 0xFF);
    }

    /**
     * Sets or replaces an array attribute within entries [from, count); returns false when the limit dropped it. The
     * entry's string reference is left as it was: the type says which column is read.
     */
    boolean putArray(int from, int limit, String key, int keyId, byte type, Object array) {
        if (arrays == null) {
            arrays = new Object[bits.length];
        }
        int before = count;
        int hash = key.hashCode();
        int index = indexOf(from, key, hash);
        if (index < 0) {
            if (!put(from, limit, key, hash, keyId, type, null, 0)) {
                return false;
            }
            index = before;
        } else {
            meta[index] = meta(hash, keyId, type);
        }
        arrays[index] = array;
        holdsArrays = true;
        return true;
    }

    /** The entry in [from, count) whose key is {@code key}, or -1; a key the filter has not seen is new at once. */
    private int indexOf(int from, String key, int hash) {
        if ((keyBloom & (1L << hash)) == 0) {
            return -1;
        }
        for (int i = from; i < count; i++) {
            Object existing = refs[2 * i];
            if (existing == key || ((int) (meta[i] >>> 32) == hash && key.equals(existing))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Sets or replaces an attribute within entries [from, count); returns false when the limit dropped it.
     * {@code hash} is {@code key.hashCode()} (a registered key has it at hand, so the key's string is not read).
     */
    boolean put(int from, int limit, String key, int hash, int keyId, byte type, String string, long value) {
        // key: id or length and chars; type; value: length and chars, or 8 bytes at most
        recordBound += 4 + 1 + (keyId >= 0 ? 0 : 3L * key.length())
            + (type == AttributeType.STRING ? 4 + 3L * string.length() : 8);
        int existing = indexOf(from, key, hash);
        if (existing >= 0) {
            meta[existing] = meta(hash, keyId, type);
            if (refs[2 * existing + 1] != string) {
                refs[2 * existing + 1] = string;
            }
            bits[existing] = value;
            return true;
        }
        int at = count;
        if (at - from >= limit) {
            dropped++;
            return false;
        }
        if (at == bits.length) {
            grow();
        }
        Object[] r = refs;
        if (r[2 * at] != key) {
            r[2 * at] = key;
        }
        if (r[2 * at + 1] != string) {
            r[2 * at + 1] = string;
        }
        meta[at] = meta(hash, keyId, type);
        bits[at] = value;
        count = at + 1;
        keyBloom |= 1L << hash; // the low six bits of the hash
        return true;
    }

    private void grow() {
        int capacity = Math.max(8, bits.length * 2);
        refs = java.util.Arrays.copyOf(refs, 2 * capacity);
        meta = java.util.Arrays.copyOf(meta, capacity);
        bits = java.util.Arrays.copyOf(bits, capacity);
        if (arrays != null) {
            arrays = java.util.Arrays.copyOf(arrays, capacity);
        }
    }

    public int count() {
        return count;
    }

    /** See {@link #recordBound}; meaningless when {@link #holdsArrays}. */
    public long recordBound() {
        return recordBound;
    }

    /** Whether an array value may be among the entries (set since the last clear). */
    public boolean holdsArrays() {
        return holdsArrays;
    }

    public String key(int i) {
        return (String) refs[2 * i];
    }

    /** The key's id in the key table, or -1 when the key is written as a string. */
    public int keyId(int i) {
        return ((int) meta[i] >>> 8) - 1;
    }

    public byte type(int i) {
        return (byte) meta[i];
    }

    public String string(int i) {
        return (String) refs[2 * i + 1];
    }

    public long bits(int i) {
        return bits[i];
    }

    /** The array value of entry {@code i} (a {@code String[]}, {@code long[]}, {@code double[]} or {@code boolean[]}). */
    public Object array(int i) {
        return arrays[i];
    }
}

package dev.plume.bootstrap.trace;

/**
 * Typed attributes in parallel primitive arrays, reused for the life of the slot that owns them. String values are
 * held by reference (the application already owns them); numbers live in {@code bits}; array values (a
 * {@code String[]}, {@code long[]}, {@code double[]} or {@code boolean[]} the caller handed over) are held by reference
 * in {@code arrays}, a column made on the first array value. Entries from {@code count} on are stale: they keep the
 * previous span's strings until overwritten (see {@link #clear}); array references are let go at clear.
 */
public final class AttributeList {
    String[] keys;
    /** The keys' hash codes (cached by String), so a new key is compared with {@code equals} only on a hash match. */
    int[] keyHashes;
    /** The key's id in the key table when it was set through an {@link AttributeKey}, else -1. */
    int[] keyIds;
    byte[] types;
    String[] strings;
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
        keys = new String[initialCapacity];
        keyHashes = new int[initialCapacity];
        keyIds = new int[initialCapacity];
        types = new byte[initialCapacity];
        strings = new String[initialCapacity];
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

    /**
     * Sets or replaces an array attribute within entries [from, count); returns false when the limit dropped it. The
     * entry's {@code strings} reference is left as it was: the type says which column is read.
     */
    boolean putArray(int from, int limit, String key, int keyId, byte type, Object array) {
        if (arrays == null) {
            arrays = new Object[keys.length];
        }
        int before = count;
        int index = indexOf(from, key);
        if (index < 0) {
            if (!put(from, limit, key, keyId, type, null, 0)) {
                return false;
            }
            index = before;
        } else {
            keyIds[index] = keyId;
            types[index] = type;
        }
        arrays[index] = array;
        holdsArrays = true;
        return true;
    }

    private int indexOf(int from, String key) {
        return indexOf(from, key, key.hashCode());
    }

    /** The entry in [from, count) whose key is {@code key}, or -1; a key the filter has not seen is new at once. */
    private int indexOf(int from, String key, int hash) {
        if ((keyBloom & (1L << hash)) == 0) {
            return -1;
        }
        for (int i = from; i < count; i++) {
            String existing = keys[i];
            if (existing == key || (keyHashes[i] == hash && existing.equals(key))) {
                return i;
            }
        }
        return -1;
    }

    /** Sets or replaces an attribute within entries [from, count); returns false when the limit dropped it. */
    boolean put(int from, int limit, String key, int keyId, byte type, String string, long value) {
        // key: id or length and chars; type; value: length and chars, or 8 bytes at most
        recordBound += 4 + 1 + (keyId >= 0 ? 0 : 3L * key.length())
            + (type == AttributeType.STRING ? 4 + 3L * string.length() : 8);
        int hash = key.hashCode();
        int existing = indexOf(from, key, hash);
        if (existing >= 0) {
            keyIds[existing] = keyId;
            types[existing] = type;
            if (strings[existing] != string) {
                strings[existing] = string;
            }
            bits[existing] = value;
            return true;
        }
        if (count - from >= limit) {
            dropped++;
            return false;
        }
        if (count == keys.length) {
            grow();
        }
        if (keys[count] != key) {
            keys[count] = key;
        }
        keyHashes[count] = hash;
        keyIds[count] = keyId;
        types[count] = type;
        if (strings[count] != string) {
            strings[count] = string;
        }
        bits[count] = value;
        count++;
        keyBloom |= 1L << hash; // the low six bits of the hash
        return true;
    }

    private void grow() {
        int capacity = Math.max(8, keys.length * 2);
        keys = java.util.Arrays.copyOf(keys, capacity);
        keyHashes = java.util.Arrays.copyOf(keyHashes, capacity);
        keyIds = java.util.Arrays.copyOf(keyIds, capacity);
        types = java.util.Arrays.copyOf(types, capacity);
        strings = java.util.Arrays.copyOf(strings, capacity);
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
        return keys[i];
    }

    /** The key's id in the key table, or -1 when the key is written as a string. */
    public int keyId(int i) {
        return keyIds[i];
    }

    public byte type(int i) {
        return types[i];
    }

    public String string(int i) {
        return strings[i];
    }

    public long bits(int i) {
        return bits[i];
    }

    /** The array value of entry {@code i} (a {@code String[]}, {@code long[]}, {@code double[]} or {@code boolean[]}). */
    public Object array(int i) {
        return arrays[i];
    }
}

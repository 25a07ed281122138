package dev.plume.bootstrap.trace;

/**
 * Typed attributes in parallel primitive arrays, reused for the life of the slot that owns them. String values are
 * held by reference (the application already owns them); numbers live in {@code bits}. Entries from {@code count} on
 * are stale: they keep the previous span's references until overwritten (see {@link #clear}).
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
    int count;
    int dropped;

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
        count = 0;
        dropped = 0;
    }

    /** Sets or replaces an attribute within entries [from, count); returns false when the limit dropped it. */
    boolean put(int from, int limit, String key, int keyId, byte type, String string, long value) {
        int hash = key.hashCode();
        for (int i = from; i < count; i++) {
            String existing = keys[i];
            if (existing == key || (keyHashes[i] == hash && existing.equals(key))) {
                keyIds[i] = keyId;
                types[i] = type;
                if (strings[i] != string) {
                    strings[i] = string;
                }
                bits[i] = value;
                return true;
            }
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
    }

    public int count() {
        return count;
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
}

package dev.plume.bootstrap.trace;

/**
 * Typed attributes in parallel primitive arrays, reused for the life of the slot that owns them. String values are
 * held by reference (the application already owns them); numbers live in {@code bits}.
 */
public final class AttributeList {
    String[] keys;
    /** The keys' hash codes (cached by String), so a new key is compared with {@code equals} only on a hash match. */
    int[] keyHashes;
    byte[] types;
    String[] strings;
    long[] bits;
    int count;
    int dropped;

    AttributeList(int initialCapacity) {
        keys = new String[initialCapacity];
        keyHashes = new int[initialCapacity];
        types = new byte[initialCapacity];
        strings = new String[initialCapacity];
        bits = new long[initialCapacity];
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            keys[i] = null;
            strings[i] = null;
        }
        count = 0;
        dropped = 0;
    }

    /** Sets or replaces an attribute within entries [from, count); returns false when the limit dropped it. */
    boolean put(int from, int limit, String key, byte type, String string, long value) {
        int hash = key.hashCode();
        for (int i = from; i < count; i++) {
            String existing = keys[i];
            if (existing == key || (keyHashes[i] == hash && existing.equals(key))) {
                types[i] = type;
                strings[i] = string;
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
        keys[count] = key;
        keyHashes[count] = hash;
        types[count] = type;
        strings[count] = string;
        bits[count] = value;
        count++;
        return true;
    }

    private void grow() {
        int capacity = Math.max(8, keys.length * 2);
        keys = java.util.Arrays.copyOf(keys, capacity);
        keyHashes = java.util.Arrays.copyOf(keyHashes, capacity);
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

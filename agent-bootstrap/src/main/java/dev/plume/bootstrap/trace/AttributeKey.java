package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.record.KeyTable;

import java.util.concurrent.ConcurrentHashMap;

/**
 * An attribute key that instrumentation declares once, as a constant: its bytes are registered in {@link KeyTable},
 * and a span record carries only its id. Setting an attribute by key costs about half what setting it by a
 * {@code String} does (BENCHMARKS.md). Equal names give the same key; a key set both ways is still one attribute.
 */
public final class AttributeKey {
    private static final ConcurrentHashMap<String, AttributeKey> KEYS = new ConcurrentHashMap<>();

    final String name;
    /** The key's id in {@link KeyTable}, or -1 when the table was full and the key is written inline. */
    final int id;
    /** {@code name.hashCode()}, so that setting an attribute by this key does not read the name's string. */
    final int hash;

    private AttributeKey(String name, int id) {
        this.name = name;
        this.id = id;
        this.hash = name.hashCode();
    }

    /** The key for {@code name}, registered on first use; meant for constants, not for names built per request. */
    public static AttributeKey of(String name) {
        AttributeKey key = KEYS.get(name);
        if (key != null) {
            return key;
        }
        synchronized (KEYS) { // not computeIfAbsent with a lambda: keys are made in premain, where lambdas cost
            key = KEYS.get(name);
            if (key == null) {
                key = new AttributeKey(name, KeyTable.register(name));
                KEYS.put(name, key);
            }
            return key;
        }
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}

package dev.plume.bootstrap.context;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-object state for objects whose class has no agent field (loaded before the agent): keys compared by identity
 * (objects may define {@code equals} and {@code hashCode}) and held weakly, so the map keeps nothing alive; entries of
 * collected keys go on the next store. Looking up allocates one short-lived key; an empty map is checked first.
 */
public final class WeakIdentityMap<V> {
    private final ConcurrentHashMap<Object, V> entries = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public V get(Object key) {
        return entries.isEmpty() ? null : entries.get(new LookupKey(key));
    }

    public V remove(Object key) {
        return entries.isEmpty() ? null : entries.remove(new LookupKey(key));
    }

    public void put(Object key, V value) {
        expunge();
        entries.put(new WeakKey(key, collected), value);
    }

    public void putIfAbsent(Object key, V value) {
        expunge();
        entries.putIfAbsent(new WeakKey(key, collected), value);
    }

    /** Entries whose keys are still alive (for tests). */
    public int size() {
        expunge();
        return entries.size();
    }

    private void expunge() {
        for (Object gone; (gone = collected.poll()) != null; ) {
            entries.remove(gone);
        }
    }

    /** A weak, identity-compared key. */
    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object key, ReferenceQueue<Object> queue) {
            super(key, queue);
            this.hash = System.identityHashCode(key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            Object key = get();
            if (other instanceof WeakKey) {
                return key != null && key == ((WeakKey) other).get();
            }
            return other instanceof LookupKey && key != null && key == ((LookupKey) other).key;
        }
    }

    /** A strong key for lookups only, never stored. */
    private static final class LookupKey {
        private final Object key;
        private final int hash;

        LookupKey(Object key) {
            this.key = key;
            this.hash = System.identityHashCode(key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WeakKey ? ((WeakKey) other).get() == key : other == this;
        }
    }
}

package dev.plume.bootstrap.trace;

import java.time.Instant;

/**
 * Epoch-nanosecond timestamps from one anchor: the wall clock is read once, then {@link System#nanoTime()} advances it,
 * so times are monotonic (a child never ends before it starts because NTP stepped the wall clock).
 */
public final class EpochClock {
    private static final long ANCHOR_EPOCH_NANOS;
    private static final long ANCHOR_NANO_TIME;

    static {
        Instant now = Instant.now();
        ANCHOR_NANO_TIME = System.nanoTime();
        ANCHOR_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private EpochClock() {
    }

    public static long nowEpochNanos() {
        return ANCHOR_EPOCH_NANOS + (System.nanoTime() - ANCHOR_NANO_TIME);
    }
}

package dev.plume.export;

/**
 * What became of one batch when it left the exporter thread: how many spans were delivered, dropped (and why), or
 * handed to the send queue, whose later outcome is counted when it is known.
 */
public record BatchOutcome(int exported, int dropped, DropReason reason, int queued) {
    public BatchOutcome(int exported, int dropped, DropReason reason) {
        this(exported, dropped, reason, 0);
    }

    public static BatchOutcome exported(int count) {
        return new BatchOutcome(count, 0, null, 0);
    }

    public static BatchOutcome dropped(int count, DropReason reason) {
        return new BatchOutcome(0, count, reason, 0);
    }

    public static BatchOutcome queued(int count) {
        return new BatchOutcome(0, 0, null, count);
    }
}

package dev.plume.export;

/** What became of one batch: how many spans were delivered, and how many were dropped and why. */
public record BatchOutcome(int exported, int dropped, DropReason reason) {
    public static BatchOutcome exported(int count) {
        return new BatchOutcome(count, 0, null);
    }

    public static BatchOutcome dropped(int count, DropReason reason) {
        return new BatchOutcome(0, count, reason);
    }
}

package dev.plume.smoke.annotations;

/** Named with {@code [*]} in the method list: every method it declares gets a span, its constructor none. */
public class Audit {
    private int records;

    public void record(String what) {
        records += what.length();
    }

    public int flush() {
        int flushed = records;
        records = 0;
        return flushed;
    }
}

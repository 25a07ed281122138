package dev.plume.testapp.traced;

/** An abstract class named in a method list, with every method ({@code *}). */
public abstract class AbstractWorker {
    public abstract int work(int units);

    protected int rest() {
        return 0;
    }
}

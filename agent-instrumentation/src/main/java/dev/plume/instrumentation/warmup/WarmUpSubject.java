package dev.plume.instrumentation.warmup;

/**
 * A class of the agent's own that the background warm-up rewrites (and throws away) exactly as real targets are
 * rewritten, so that ByteBuddy's classes are loaded and its paths run off the application's threads before the first
 * real candidate (a servlet container's filter chain, say) is loaded on one of them.
 */
public final class WarmUpSubject implements Runnable {
    private int runs;

    @Override
    public void run() {
        runs++;
    }

    int runs() {
        return runs;
    }
}

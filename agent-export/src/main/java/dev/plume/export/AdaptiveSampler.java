package dev.plume.export;

/**
 * Exporter-side sampling that makes the export rate track a target ({@code plume.sampler.target.spans.per.second}).
 * Once a second it measures the incoming span rate and sets the fraction to keep; a span is kept when the low 63
 * bits of its trace id fall under that fraction of their range, so every span of a trace gets the same decision while
 * the fraction holds, and a trace kept at a lower fraction is kept at any higher one (as with the head ratio sampler).
 * Spans with ERROR status are always kept: they are what an operator looks for.
 */
public final class AdaptiveSampler {
    static final long WINDOW_NANOS = 1_000_000_000L;
    private static final int STATUS_ERROR = 2;
    /** Weight of the newest window in the smoothed rate: reacts within a few seconds, ignores one-window spikes. */
    private static final double SMOOTHING = 0.5;

    private final double targetPerSecond;
    private long windowStartNanos;
    private long seenInWindow;
    private double smoothedRate = -1;
    private double keepFraction = 1.0;
    private long threshold = Long.MAX_VALUE;
    private boolean keepAll = true;

    public AdaptiveSampler(double targetPerSecond, long nowNanos) {
        if (!(targetPerSecond > 0)) {
            throw new IllegalArgumentException("target spans per second must be positive: " + targetPerSecond);
        }
        this.targetPerSecond = targetPerSecond;
        this.windowStartNanos = nowNanos;
    }

    /** Decides for one span; counts it towards the incoming rate. */
    public boolean keep(long traceIdLow, int statusCode) {
        seenInWindow++;
        return keepAll || statusCode == STATUS_ERROR || (traceIdLow & Long.MAX_VALUE) < threshold;
    }

    /** Called by the exporter loop: at the end of each window, re-measures the rate and sets the fraction. */
    public void tick(long nowNanos) {
        long elapsed = nowNanos - windowStartNanos;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        double rate = seenInWindow * 1e9 / elapsed;
        smoothedRate = smoothedRate < 0 ? rate : SMOOTHING * rate + (1 - SMOOTHING) * smoothedRate;
        keepFraction = smoothedRate <= targetPerSecond ? 1.0 : targetPerSecond / smoothedRate;
        keepAll = keepFraction >= 1.0;
        threshold = keepAll ? Long.MAX_VALUE : (long) (keepFraction * Long.MAX_VALUE);
        seenInWindow = 0;
        windowStartNanos = nowNanos;
    }

    /** The incoming span rate as last measured (smoothed), or 0 before the first window ends. */
    public double incomingSpansPerSecond() {
        return Math.max(0, smoothedRate);
    }

    /** The fraction of traces currently kept. */
    public double keepFraction() {
        return keepFraction;
    }

    public double targetSpansPerSecond() {
        return targetPerSecond;
    }
}

package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;


/**
 * Head sampling at span start, as {@code otel.traces.sampler} defines it. The ratio decision is a function of the
 * trace id alone, and the OpenTelemetry SDK's to the bit, so every service that uses the same ratio agrees on a trace,
 * whichever of the two records it.
 */
public final class HeadSampler {
    static final int ALWAYS_ON = 0;
    static final int ALWAYS_OFF = 1;
    static final int RATIO = 2;

    private final int rootPolicy;
    private final boolean parentBased;
    private final long ratioBound;
    private final String description;

    HeadSampler(int rootPolicy, boolean parentBased, double ratio, String description) {
        this.rootPolicy = rootPolicy;
        this.parentBased = parentBased;
        this.ratioBound = ratioBound(ratio);
        this.description = description;
    }

    public static HeadSampler alwaysOn() {
        return new HeadSampler(ALWAYS_ON, true, 1.0, "parentbased_always_on");
    }

    public static HeadSampler from(PlumeConfig config) {
        String name = config.getChoice(ConfigKeys.TRACES_SAMPLER);
        double ratio = 1.0;
        if (name.endsWith("traceidratio")) {
            ratio = config.getDouble(ConfigKeys.TRACES_SAMPLER_ARG);
        }
        return switch (name) {
            case "always_on" -> new HeadSampler(ALWAYS_ON, false, 1.0, name);
            case "always_off" -> new HeadSampler(ALWAYS_OFF, false, 1.0, name);
            case "traceidratio" -> new HeadSampler(RATIO, false, ratio, name + "(" + ratio + ")");
            case "parentbased_always_off" -> new HeadSampler(ALWAYS_OFF, true, 1.0, name);
            case "parentbased_traceidratio" -> new HeadSampler(RATIO, true, ratio, name + "(" + ratio + ")");
            default -> new HeadSampler(ALWAYS_ON, true, 1.0, name);
        };
    }

    /**
     * Decides whether a new span is sampled.
     *
     * @param hasParent     a valid parent context exists (local or remote)
     * @param parentSampled the parent's sampled flag
     */
    public boolean shouldSample(boolean hasParent, boolean parentSampled, long traceIdLow) {
        if (parentBased && hasParent) {
            return parentSampled;
        }
        return switch (rootPolicy) {
            case ALWAYS_ON -> true;
            case ALWAYS_OFF -> false;
            // the OpenTelemetry SDK's TraceIdRatioBased decision, bit for bit: the absolute value of the id's low 64
            // bits (Long.MIN_VALUE stays negative) below ratio * Long.MAX_VALUE
            default -> Math.abs(traceIdLow) < ratioBound;
        };
    }

    /** The SDK's bound: {@code Long.MIN_VALUE} for 0 (nothing is below it), {@code Long.MAX_VALUE} for 1. */
    static long ratioBound(double ratio) {
        if (ratio >= 1.0) {
            return Long.MAX_VALUE;
        }
        if (ratio <= 0.0) {
            return Long.MIN_VALUE;
        }
        return (long) (ratio * Long.MAX_VALUE);
    }

    @Override
    public String toString() {
        return description;
    }
}

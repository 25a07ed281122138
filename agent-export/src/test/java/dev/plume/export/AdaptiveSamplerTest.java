package dev.plume.export;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler's control loop, on a simulated clock: the kept rate follows the target as the incoming rate moves. */
class AdaptiveSamplerTest {
    private static final long SECOND = AdaptiveSampler.WINDOW_NANOS;
    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void keptRateTracksTheTargetAsTheIncomingRateChanges() {
        AdaptiveSampler sampler = new AdaptiveSampler(1_000, 0);
        long now = 0;
        // below the target everything is kept
        assertEquals(500, secondOfTraffic(sampler, now, 500, 0));
        sampler.tick(now += SECOND);
        assertEquals(1.0, sampler.keepFraction());
        // 20x the target: after a few windows the kept rate settles near the target
        int kept = 0;
        for (int second = 0; second < 8; second++) {
            kept = secondOfTraffic(sampler, now, 20_000, 0);
            sampler.tick(now += SECOND);
        }
        assertTrue(kept > 800 && kept < 1_250, "kept " + kept + " of 20000 in the last second");
        assertTrue(sampler.incomingSpansPerSecond() > 15_000, "measured " + sampler.incomingSpansPerSecond());
        // traffic falls back below the target: everything is kept again
        for (int second = 0; second < 8; second++) {
            kept = secondOfTraffic(sampler, now, 300, 0);
            sampler.tick(now += SECOND);
        }
        assertEquals(300, kept);
    }

    @Test
    void errorsAreAlwaysKeptAndOneTraceGetsOneDecision() {
        AdaptiveSampler sampler = new AdaptiveSampler(10, 0);
        secondOfTraffic(sampler, 0, 10_000, 0);
        sampler.tick(SECOND);
        assertTrue(sampler.keepFraction() < 0.01);
        int errorsKept = 0;
        for (int i = 0; i < 1_000; i++) {
            if (sampler.keep(random.nextLong(), 2)) {
                errorsKept++;
            }
        }
        assertEquals(1_000, errorsKept);
        for (int i = 0; i < 1_000; i++) {
            long traceIdLow = random.nextLong();
            boolean first = sampler.keep(traceIdLow, 0);
            for (int span = 0; span < 5; span++) {
                assertEquals(first, sampler.keep(traceIdLow, 0), "every span of a trace gets the trace's decision");
            }
        }
    }

    @Test
    void aTargetMustBePositive() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new AdaptiveSampler(0, 0));
    }

    private int secondOfTraffic(AdaptiveSampler sampler, long now, int spans, int status) {
        int kept = 0;
        for (int i = 0; i < spans; i++) {
            if (sampler.keep(random.nextLong(), status)) {
                kept++;
            }
        }
        return kept;
    }
}

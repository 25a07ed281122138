package dev.plume.bootstrap.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Plume's traceidratio decision against the OpenTelemetry SDK's own sampler, on a million random trace ids per ratio
 * and on the edge ids (the low half 0, Long.MIN_VALUE, Long.MAX_VALUE, -Long.MAX_VALUE): a Plume service and an
 * SDK service sampling one trace at one ratio make the same choice.
 */
class HeadSamplerSdkAgreementTest {
    private static final int IDS = 1_000_000;

    @Test
    void theSameDecisionAsTheSdkForEveryId() {
        SplittableRandom random = new SplittableRandom(4711);
        for (double ratio : List.of(0.0, 0.000001, 0.1, 0.25, 0.5, 0.75, 0.999, 1.0)) {
            HeadSampler plume = new HeadSampler(HeadSampler.RATIO, false, ratio, "traceidratio");
            Sampler sdk = Sampler.traceIdRatioBased(ratio);
            int agreed = 0;
            int sampled = 0;
            for (int i = 0; i < IDS + 4; i++) {
                long high = random.nextLong();
                long low = switch (i - IDS) {
                    case 0 -> Long.MIN_VALUE;
                    case 1 -> Long.MAX_VALUE;
                    case 2 -> -Long.MAX_VALUE;
                    case 3 -> 0;
                    default -> random.nextLong();
                };
                String traceId = W3cTraceContext.traceIdHex(high == 0 && low == 0 ? 1 : high, low);
                boolean sdkSampled = sdk.shouldSample(Context.root(), traceId, "span", SpanKind.INTERNAL,
                    Attributes.empty(), List.of()).getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
                boolean plumeSampled = plume.shouldSample(false, false, low);
                agreed += sdkSampled == plumeSampled ? 1 : 0;
                sampled += plumeSampled ? 1 : 0;
            }
            assertEquals(IDS + 4, agreed, "ratio " + ratio + ": decisions that differ from the SDK's");
            if (ratio > 0.05 && ratio < 0.95) {
                assertEquals(ratio, sampled / (double) IDS, 0.005, "sampled share at ratio " + ratio);
            }
        }
    }
}

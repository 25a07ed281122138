package dev.plume.smoke.annotations;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.extension.annotations.SpanAttribute;
import io.opentelemetry.extension.annotations.WithSpan;

/** The older annotations ({@code io.opentelemetry.extension.annotations}, 1.18.0), as code written for agent 1.x has. */
public class LegacyService {
    @WithSpan(value = "legacy lookup", kind = SpanKind.CONSUMER)
    public String lookup(@SpanAttribute("legacy.key") String key) {
        return key.toUpperCase();
    }
}

package dev.plume.instrumentation.logback;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Logback 1.2 to 1.5: {@code %X{trace_id}}, {@code %X{span_id}} and {@code %X{trace_flags}} in a pattern (and every
 * encoder that reads the event's MDC) show the span current when the event was logged. The event class gets the
 * agent's field: its constructors remember the context, {@code getMDCPropertyMap} adds the ids.
 */
public final class LogbackInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "logback-mdc";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(TypeTarget.named("ch.qos.logback.classic.spi.LoggingEvent").carriesContext()
            .advice(LogbackEventMadeAdvice.class, MethodSelector.constructors().parameters(6))
            .advice(LogbackMdcAdvice.class, MethodSelector.named("getMDCPropertyMap").parameters(0)));
    }
}

package dev.plume.instrumentation.log4j;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Log4j 2.7 and later: the context data of every log event (what {@code %X{trace_id}} and every layout read) also
 * holds the current span's {@code trace_id}, {@code span_id} and {@code trace_flags}. Log4j takes an event's context
 * data on the thread that logs, through its {@code ContextDataInjector}; its {@code injectContextData} returns the
 * map, to which the ids are added (in a copy: the injectors hand out frozen maps).
 */
public final class Log4jInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "log4j-context-data";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(TypeTarget.subtypesOf("org.apache.logging.log4j.core.ContextDataInjector")
            .advice(Log4jContextDataAdvice.class, MethodSelector.named("injectContextData").parameters(2)));
    }
}

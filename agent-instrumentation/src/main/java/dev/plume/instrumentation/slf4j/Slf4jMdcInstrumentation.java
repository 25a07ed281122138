package dev.plume.instrumentation.slf4j;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * SLF4J's {@code MDC}, read by application code: {@code MDC.get("trace_id")} (and {@code span_id},
 * {@code trace_flags}) and {@code MDC.getCopyOfContextMap()} see the current span's ids, as they would with the ids
 * put into the MDC, though nothing is put there (so nothing is left behind when the span ends). A value the
 * application put under the same key wins.
 */
public final class Slf4jMdcInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "slf4j-mdc";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(TypeTarget.named("org.slf4j.MDC")
            .advice(MdcGetAdvice.class, MethodSelector.named("get").parameterTypes("java.lang.String"))
            .advice(MdcCopyAdvice.class, MethodSelector.named("getCopyOfContextMap").parameters(0)));
    }
}

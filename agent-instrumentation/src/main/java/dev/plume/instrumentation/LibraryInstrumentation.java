package dev.plume.instrumentation;

import net.bytebuddy.agent.builder.AgentBuilder;

import java.lang.instrument.Instrumentation;

/** One instrumented library: the types it matches and the advice it applies. Enabled unless configured off. */
public interface LibraryInstrumentation {
    /** The name in {@code otel.instrumentation.<name>.enabled}. */
    String name();

    /** Adds this library's matchers and advice to the agent builder. */
    AgentBuilder extend(AgentBuilder builder, Instrumentation instrumentation);
}

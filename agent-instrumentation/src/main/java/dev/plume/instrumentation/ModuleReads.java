package dev.plume.instrumentation;

import dev.plume.bootstrap.trace.Tracer;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Advice inlined into a class of a named module (the JDK's own HTTP server and client) calls the runtime in the
 * bootstrap loader's unnamed module, which named modules do not read by default: this adds the read edge.
 */
final class ModuleReads {
    private ModuleReads() {
    }

    static void ensureReadsRuntime(Instrumentation instrumentation, Module module) {
        if (module == null || !module.isNamed()) {
            return;
        }
        Module runtime = Tracer.class.getModule();
        if (!module.canRead(runtime)) {
            instrumentation.redefineModule(module, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }
}

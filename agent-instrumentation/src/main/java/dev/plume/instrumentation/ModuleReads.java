package dev.plume.instrumentation;

import dev.plume.bootstrap.trace.Tracer;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Advice inlined into a class of a named module (the JDK's own HTTP server and client) calls the runtime in the
 * bootstrap loader's unnamed module, which named modules do not read by default: this adds the read edge, and opens
 * the packages a target asks for ({@link TypeTarget#opensToRuntime}).
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

    /** Opens (and so exports) {@code packageNames} of {@code module} to the runtime, where not yet open to it. */
    static void openToRuntime(Instrumentation instrumentation, Module module, List<String> packageNames) {
        if (module == null || !module.isNamed() || packageNames.isEmpty()) {
            return;
        }
        Module runtime = Tracer.class.getModule();
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String name : packageNames) {
            if (module.getPackages().contains(name) && !module.isOpen(name, runtime)) {
                opens.put(name, Set.of(runtime));
            }
        }
        if (!opens.isEmpty()) {
            instrumentation.redefineModule(module, Set.of(), opens, opens, Set.of(), Map.of());
        }
    }
}

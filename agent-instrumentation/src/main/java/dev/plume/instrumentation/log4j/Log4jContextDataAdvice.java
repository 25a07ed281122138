package dev.plume.instrumentation.log4j;

import dev.plume.bootstrap.logs.LogContext;
import net.bytebuddy.asm.Advice;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.apache.logging.log4j.util.StringMap;

/** Inlined into {@code ContextDataInjector#injectContextData}: the event's context data gets the current ids. */
public final class Log4jContextDataAdvice {
    private Log4jContextDataAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) StringMap data) {
        String[] entries = LogContext.currentEntries();
        if (entries != null) {
            StringMap copy = new SortedArrayStringMap((data == null ? 0 : data.size()) + 3);
            if (data != null) {
                copy.putAll(data);
            }
            for (int i = 0; i < entries.length; i += 2) {
                copy.putValue(entries[i], entries[i + 1]);
            }
            data = copy;
        }
    }
}

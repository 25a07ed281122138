package dev.plume.bootstrap.http;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code plume.http.server.ignore.paths}: request paths that make no SERVER span and propagate nothing (health checks,
 * readiness probes). Entries are exact paths or prefixes ending in {@code *}. Set once at start-up.
 */
public final class ServerPaths {
    private static volatile String[] exact = new String[0];
    private static volatile String[] prefixes = new String[0];

    private ServerPaths() {
    }

    /** Replaces the ignored paths (empty entries are left out). */
    public static void ignore(List<String> entries) {
        List<String> exactPaths = new ArrayList<>();
        List<String> prefixPaths = new ArrayList<>();
        for (String entry : entries) {
            String path = entry.trim();
            if (path.endsWith("*")) {
                prefixPaths.add(path.substring(0, path.length() - 1));
            } else if (!path.isEmpty()) {
                exactPaths.add(path);
            }
        }
        exact = exactPaths.toArray(new String[0]);
        prefixes = prefixPaths.toArray(new String[0]);
    }

    /** Whether a request to this path (no query) is left untraced. Allocation-free. */
    public static boolean isIgnored(String path) {
        if (path == null) {
            return false;
        }
        for (String candidate : exact) {
            if (candidate.equals(path)) {
                return true;
            }
        }
        for (String prefix : prefixes) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}

package dev.plume.bootstrap.http;

import java.util.function.BiPredicate;

/** A header filter that keeps every header, for copying an immutable request before adding propagation headers. */
public final class AcceptAllHeaders implements BiPredicate<String, String> {
    public static final AcceptAllHeaders INSTANCE = new AcceptAllHeaders();

    private AcceptAllHeaders() {
    }

    @Override
    public boolean test(String name, String value) {
        return true;
    }
}

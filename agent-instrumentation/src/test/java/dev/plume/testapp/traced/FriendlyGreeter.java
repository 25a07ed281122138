package dev.plume.testapp.traced;

import java.util.concurrent.CompletableFuture;

/** Implements the listed interface; {@code shout} is not listed. */
public class FriendlyGreeter implements Greeter {
    @Override
    public String greet(String name) {
        return shout("hello " + name);
    }

    public String shout(String text) {
        return text.toUpperCase();
    }

    /** Listed by name in the test's method list: returns a future, so its span ends at completion. */
    public CompletableFuture<String> greetLater(CompletableFuture<String> source) {
        return source;
    }
}

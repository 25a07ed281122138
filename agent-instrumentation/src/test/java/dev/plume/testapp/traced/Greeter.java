package dev.plume.testapp.traced;

/** An interface named in a method list: its implementations' methods get spans. */
public interface Greeter {
    String greet(String name);
}

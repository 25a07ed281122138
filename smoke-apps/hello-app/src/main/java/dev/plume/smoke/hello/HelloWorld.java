package dev.plume.smoke.hello;

/** The smallest possible application, used to measure how much the agent adds to JVM start-up. */
public final class HelloWorld {

    private HelloWorld() {
    }

    public static void main(String[] args) {
        System.out.println("hello, world");
    }
}

package dev.plume.testapp.traced;

/** Extends the listed abstract class: each method it declares gets a span; its constructor does not. */
public class Worker extends AbstractWorker {
    private final int speed;

    public Worker(int speed) {
        this.speed = speed;
    }

    @Override
    public int work(int units) {
        Runnable lambda = () -> rest();
        lambda.run();
        return units * speed;
    }
}

package dev.plume.smoke.selfcalls;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes the {@code /hello} call on a thread other than the request's, one way per JDK concurrency API, so that a
 * test can see whether trace context follows the work from the request thread to the downstream call.
 *
 * <p>The executor and the scheduler belong to the application, which creates and shuts them down.
 */
public final class CrossThreadCalls {

    private static final long WAIT_SECONDS = 10;
    private static final long SCHEDULE_DELAY_MILLIS = 10;

    private final OwnHelloClient client;
    private final Callable<String> helloCall;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;

    public CrossThreadCalls(OwnHelloClient client, ExecutorService executor, ScheduledExecutorService scheduler) {
        this.client = client;
        this.helloCall = client::hello;
        this.executor = executor;
        this.scheduler = scheduler;
    }

    public String viaExecutor() throws InterruptedException, ExecutionException, TimeoutException {
        return await(executor.submit(helloCall));
    }

    public String viaScheduledExecutor() throws InterruptedException, ExecutionException, TimeoutException {
        return await(scheduler.schedule(helloCall, SCHEDULE_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** Two calls through {@code invokeAll}; answers their bodies joined by a comma. */
    public String viaInvokeAll() throws InterruptedException, ExecutionException {
        List<Future<String>> futures = executor.invokeAll(List.of(helloCall, helloCall), WAIT_SECONDS, TimeUnit.SECONDS);
        StringBuilder bodies = new StringBuilder();
        for (Future<String> future : futures) {
            // invokeAll has already waited: each future is done, or cancelled by the time limit.
            bodies.append(bodies.length() == 0 ? "" : ",").append(future.get());
        }
        return bodies.toString();
    }

    public String viaForkJoinPool() throws InterruptedException, ExecutionException, TimeoutException {
        return await(ForkJoinPool.commonPool().submit(helloCall));
    }

    /**
     * Three calls, one per way a {@code CompletableFuture} runs work elsewhere: a supplier on the executor; a stage
     * registered on a future not yet complete, which a thread with no trace of its own completes (the stage is then
     * handed to its executor there); and a stage registered on a completed future (handed to its executor at once).
     * The two stages run on a plain {@code Executor}, a new thread each, so only the stage carries the request's
     * context. Answers the three bodies, upper-cased, joined by commas.
     */
    public String viaCompletableFuture() throws InterruptedException, ExecutionException, TimeoutException {
        Executor plain = command -> new Thread(command, "plain-executor").start();
        CompletableFuture<String> supplied = CompletableFuture.supplyAsync(client::helloOrThrowUnchecked, executor);
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> later = gate.thenApplyAsync(ignored -> client.helloOrThrowUnchecked(), plain);
        CompletableFuture<String> atOnce = CompletableFuture.completedFuture("")
                .thenApplyAsync(ignored -> client.helloOrThrowUnchecked(), plain);
        Thread completer = new Thread(() -> gate.complete(""), "gate-completer");
        completer.start();
        return await(supplied.thenCombine(later, (a, b) -> a + "," + b).thenCombine(atOnce, (ab, c) -> ab + "," + c)
                .thenApplyAsync(String::toUpperCase));
    }

    /** The call on a virtual thread; empty on a JDK without them (this code compiles for 17, so it looks them up). */
    public Optional<String> viaVirtualThread() throws InterruptedException, ExecutionException, TimeoutException {
        Optional<ExecutorService> virtualThreads = newVirtualThreadPerTaskExecutor();
        if (virtualThreads.isEmpty()) {
            return Optional.empty();
        }
        ExecutorService perTask = virtualThreads.get();
        try {
            return Optional.of(await(perTask.submit(helloCall)));
        } finally {
            perTask.shutdown();
        }
    }

    private static Optional<ExecutorService> newVirtualThreadPerTaskExecutor() {
        try {
            Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return Optional.of((ExecutorService) factory.invoke(null));
        } catch (NoSuchMethodException | InvocationTargetException e) {
            // Absent before JDK 19; on 19 and 20 it exists but throws unless preview features are on.
            return Optional.empty();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Executors.newVirtualThreadPerTaskExecutor is public", e);
        }
    }

    private static String await(Future<String> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}

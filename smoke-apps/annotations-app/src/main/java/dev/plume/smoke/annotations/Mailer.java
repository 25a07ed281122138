package dev.plume.smoke.annotations;

import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Methods returning a future that another thread completes later. */
public class Mailer {
    private final ScheduledExecutorService completer;

    public Mailer(ScheduledExecutorService completer) {
        this.completer = completer;
    }

    /** Completes 300 ms after it returns, on the completer thread, with the time it completed (epoch millis). */
    @WithSpan
    public CompletableFuture<Long> send(@SpanAttribute("mail.to") String to) {
        render(to);
        CompletableFuture<Long> sent = new CompletableFuture<>();
        completer.schedule(() -> sent.complete(System.currentTimeMillis()), 300, TimeUnit.MILLISECONDS);
        return sent;
    }

    @WithSpan
    public String render(String to) {
        return "hello " + to;
    }

    /** Fails 100 ms after it returns. */
    @WithSpan("mail bounce")
    public CompletionStage<Long> bounce(String to) {
        CompletableFuture<Long> bounced = new CompletableFuture<>();
        completer.schedule(() -> bounced.completeExceptionally(new IllegalArgumentException("no mailbox " + to)),
            100, TimeUnit.MILLISECONDS);
        return bounced;
    }
}

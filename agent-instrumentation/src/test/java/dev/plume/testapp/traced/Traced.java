package dev.plume.testapp.traced;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Methods annotated as applications annotate them, for the annotation reader and the weave (outside the agent's packages). */
public class Traced implements Supplier<String>, Runnable {
    @WithSpan
    public String plain(String text) {
        return text;
    }

    /** The allocation check calls this through Runnable: no reflection, no arguments. */
    @Override
    @WithSpan
    public void run() {
    }

    @WithSpan("custom-name")
    public void named() {
    }

    @WithSpan(kind = SpanKind.CLIENT)
    public void client() {
    }

    @WithSpan(value = "new-root", kind = SpanKind.PRODUCER, inheritContext = false)
    public void root() {
        nested();
    }

    @WithSpan
    public void nested() {
    }

    @WithSpan
    public void fails(String why) {
        throw new IllegalStateException(why);
    }

    @WithSpan
    public long attributes(@SpanAttribute("order.id") long id, @SpanAttribute String customer,
                           @SpanAttribute("ratio") float ratio, @SpanAttribute boolean express,
                           @SpanAttribute("tags") List<String> tags, @SpanAttribute("counts") int[] counts,
                           @SpanAttribute("note") Object note, int notAnAttribute, @SpanAttribute("small") short small,
                           @SpanAttribute("absent") String absent, @SpanAttribute("numbers") List<? extends Number> numbers,
                           @SpanAttribute("map") Map<String, Integer> map, @SpanAttribute("bytes") byte[] bytes) {
        return id + notAnAttribute;
    }

    @WithSpan
    public static int twice(@SpanAttribute("n") int n) {
        return 2 * n;
    }

    @WithSpan
    public CompletableFuture<String> later(CompletableFuture<String> source) {
        nested();
        return source;
    }

    @WithSpan(kind = SpanKind.CONSUMER)
    public CompletionStage<String> stage(@SpanAttribute("topic") String topic, CompletableFuture<String> source) {
        return source;
    }

    /** Not asynchronous to the agent: the declared type is neither CompletableFuture nor CompletionStage. */
    @WithSpan
    public Object futureAsObject(CompletableFuture<String> source) {
        return source;
    }

    @io.opentelemetry.extension.annotations.WithSpan(value = "old-style", kind = SpanKind.SERVER)
    public void old(@io.opentelemetry.extension.annotations.SpanAttribute("old.attribute") String value) {
    }

    @io.opentelemetry.extension.annotations.WithSpan
    public void oldDefault() {
    }

    @WithSpan
    public void excluded() {
    }

    /** javac copies the annotation onto the bridge {@code Object get()}; only this method gets a span. */
    @Override
    @WithSpan
    public String get() {
        return "got";
    }

    public void notAnnotated() {
    }

    public Runnable anonymous() {
        return new Runnable() {
            @Override
            @WithSpan
            public void run() {
            }
        };
    }

    /** A nested class: named by its simple name. */
    public static final class Inner {
        @WithSpan
        public void inside() {
        }
    }
}

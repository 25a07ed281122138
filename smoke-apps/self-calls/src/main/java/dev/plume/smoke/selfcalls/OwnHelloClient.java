package dev.plume.smoke.selfcalls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;

/** Calls {@code GET /hello} on the application's own port with the JDK's HTTP client, the client the agent traces. */
public final class OwnHelloClient {

    private static final String HOST = "127.0.0.1";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client;
    private final IntSupplier ownPort;

    /** The port is asked for at each call, because the server learns its ephemeral port only once it has started. */
    public OwnHelloClient(IntSupplier ownPort) {
        // HTTP/1.1 only: the client would otherwise try an h2c upgrade, a request shape the tests do not expect.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        this.ownPort = ownPort;
    }

    /** Returns the body of {@code /hello}; any status but 200 is an error, so a failed call never passes for a good one. */
    public String hello() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + ownPort.getAsInt() + "/hello"))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /hello answered " + response.statusCode());
        }
        return response.body();
    }

    /** {@link #hello()} for APIs that take a {@code Supplier}, such as {@code CompletableFuture.supplyAsync}. */
    public String helloOrThrowUnchecked() {
        try {
            return hello();
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}

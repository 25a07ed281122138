package dev.plume.smoke.boot4;

import dev.plume.smoke.selfcalls.OwnHelloClient;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Makes the {@code /hello} call in an {@code @Async} method, so Spring's proxy moves it to another thread. */
@Service
class AsyncHelloService {

    private final OwnHelloClient client;

    AsyncHelloService(OwnHelloClient client) {
        this.client = client;
    }

    @Async(AppExecutors.ASYNC_HELLO_EXECUTOR)
    public CompletableFuture<String> hello() throws IOException, InterruptedException {
        return CompletableFuture.completedFuture(client.hello());
    }
}

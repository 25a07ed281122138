package dev.plume.smoke.boot4;

import dev.plume.smoke.selfcalls.CrossThreadCalls;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Endpoints that each answer with the body of a {@code /hello} call made on another thread. */
@RestController
class CrossThreadController {

    private static final long WAIT_SECONDS = 10;

    private final CrossThreadCalls calls;
    private final AsyncHelloService asyncHello;

    CrossThreadController(CrossThreadCalls calls, AsyncHelloService asyncHello) {
        this.calls = calls;
        this.asyncHello = asyncHello;
    }

    @GetMapping("/executor")
    public String executor() throws Exception {
        return calls.viaExecutor();
    }

    @GetMapping("/scheduled")
    public String scheduled() throws Exception {
        return calls.viaScheduledExecutor();
    }

    @GetMapping("/invoke-all")
    public String invokeAll() throws Exception {
        return calls.viaInvokeAll();
    }

    @GetMapping("/fork-join")
    public String forkJoin() throws Exception {
        return calls.viaForkJoinPool();
    }

    @GetMapping("/future")
    public String future() throws Exception {
        return calls.viaCompletableFuture();
    }

    @GetMapping("/virtual")
    public ResponseEntity<String> virtualThread() throws Exception {
        return calls.viaVirtualThread()
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_IMPLEMENTED).body("no virtual threads"));
    }

    @GetMapping("/async")
    public String async() throws Exception {
        return asyncHello.hello().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Spring MVC runs the Callable on its async executor and then dispatches the request again in the container. */
    @GetMapping("/async-servlet")
    public Callable<String> asyncServlet() {
        return () -> "deferred";
    }
}

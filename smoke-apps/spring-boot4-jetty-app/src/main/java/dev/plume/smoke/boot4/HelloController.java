package dev.plume.smoke.boot4;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** The downstream target of every cross-thread call, and an echo of the trace header the app received. */
@RestController
class HelloController {

    @GetMapping("/hello")
    public String hello() {
        return "hello";
    }

    @GetMapping("/headers")
    public String traceparent(@RequestHeader(name = "traceparent", required = false) String traceparent) {
        return traceparent == null ? "none" : traceparent;
    }
}

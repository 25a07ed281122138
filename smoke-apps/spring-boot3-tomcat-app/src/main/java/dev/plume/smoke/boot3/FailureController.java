package dev.plume.smoke.boot3;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** An exception that no handler takes, so it escapes Spring MVC to the container, which answers 500. */
@RestController
class FailureController {

    @GetMapping("/throws")
    public String fail() {
        throw new IllegalStateException("boom");
    }
}

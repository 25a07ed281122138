package dev.plume.smoke.boot3;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Health checks at the usual paths (a plain controller: the app has no actuator), which agents often leave untraced. */
@RestController
class HealthController {

    @GetMapping({"/health", "/actuator/health"})
    public String health() {
        return "ok";
    }
}

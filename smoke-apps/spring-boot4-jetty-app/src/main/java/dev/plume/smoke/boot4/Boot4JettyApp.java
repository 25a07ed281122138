package dev.plume.smoke.boot4;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableAsync;

import java.io.IOException;
import java.io.InputStream;

/**
 * A Spring Boot 4 web application (Spring MVC 7 on embedded Jetty 12), which smoke tests run under the agent.
 *
 * <p>System properties: {@code app.port} (default 0, an ephemeral port) and {@code app.exit.on.stdin.eof}
 * (default false). It prints {@code LISTENING <port>} once it is ready to answer.
 */
@SpringBootApplication
@EnableAsync
public class Boot4JettyApp {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(Boot4JettyApp.class, args);
        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            exitWhenStdinCloses(context);
        }
    }

    private static void exitWhenStdinCloses(ConfigurableApplicationContext context) {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // Input is ignored; only the end of the stream matters.
                }
            } catch (IOException e) {
                // A broken stdin means the parent is gone, which is the same signal as EOF.
            }
            System.exit(SpringApplication.exit(context));
        }, "boot4-app-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}

package dev.plume.smoke.boot3;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.function.IntSupplier;

/** The port the embedded server really listens on, announced as {@code LISTENING <port>} when the app is ready. */
@Component
class ServerPort implements IntSupplier {

    private volatile int port = -1;

    @EventListener
    public void onWebServerInitialized(WebServerInitializedEvent event) {
        port = event.getWebServer().getPort();
    }

    // The server accepts connections before the context has finished starting; the tests wait for this line.
    @EventListener(ApplicationReadyEvent.class)
    public void announce() {
        System.out.println("LISTENING " + getAsInt());
        System.out.flush();
    }

    @Override
    public int getAsInt() {
        if (port < 0) {
            throw new IllegalStateException("the web server has not started yet");
        }
        return port;
    }
}

package dev.plume.instrumentation.httpurlconnection;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Traces {@code java.net.HttpURLConnection} and {@code HttpsURLConnection}: one CLIENT span per request, with the
 * propagators' headers set before it is sent. Every connection the JDK makes for {@code http:} is a
 * {@code sun.net.www.protocol.http.HttpURLConnection}, and an {@code https:} one delegates to a subclass of it, whose
 * {@code connect} is its own; those are the classes instrumented. The connection class gets a field for the span
 * that lives from one call to the next (see {@code HttpUrlConnectionSpans}).
 */
public final class HttpUrlConnectionInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "http-url-connection";
    }

    @Override
    public List<TypeTarget> targets() {
        MethodSelector connect = MethodSelector.named("connect").publicOnly().parameters(0);
        return List.of(
            TypeTarget.named("sun.net.www.protocol.http.HttpURLConnection").carriesContext()
                .advice(ConnectAdvice.class, connect)
                .advice(OutputStreamAdvice.class, MethodSelector.named("getOutputStream").publicOnly().parameters(0))
                .advice(InputStreamAdvice.class, MethodSelector.named("getInputStream").publicOnly().parameters(0))
                .advice(RedirectAdvice.class, MethodSelector.named("followRedirect").privateOnly().parameters(0)),
            TypeTarget.named("sun.net.www.protocol.https.AbstractDelegateHttpsURLConnection")
                .advice(ConnectAdvice.class, connect));
    }
}

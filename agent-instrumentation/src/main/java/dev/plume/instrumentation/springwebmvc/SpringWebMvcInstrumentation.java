package dev.plume.instrumentation.springwebmvc;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;


/**
 * Spring MVC (Spring Framework 6 and 7, on any servlet container the servlet instrumentation traces): the matched
 * route names the request's SERVER span ({@code GET /owners/{ownerId}}), and a controller's exception is recorded on it
 * however it was handled. One class, {@code DispatcherServlet}, sees every request.
 */
public final class SpringWebMvcInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "spring-webmvc";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(TypeTarget.named("org.springframework.web.servlet.DispatcherServlet")
            .advice(HandlerRouteAdvice.class, MethodSelector.named("getHandler").parameters(1))
            .advice(HandlerExceptionAdvice.class, MethodSelector.named("processHandlerException").parameters(4)));
    }
}

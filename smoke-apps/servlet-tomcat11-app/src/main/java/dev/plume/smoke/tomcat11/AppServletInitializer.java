package dev.plume.smoke.tomcat11;

import dev.plume.smoke.jakarta.AsyncDispatchServlet;
import dev.plume.smoke.jakarta.AsyncHelloServlet;
import dev.plume.smoke.jakarta.CrossThreadServlet;
import dev.plume.smoke.jakarta.FixedTextServlet;
import dev.plume.smoke.jakarta.HandledErrorServlet;
import dev.plume.smoke.jakarta.OwnersServlet;
import dev.plume.smoke.jakarta.ServedByFilter;
import dev.plume.smoke.jakarta.ThrowingServlet;
import dev.plume.smoke.jakarta.TraceparentEchoServlet;
import dev.plume.smoke.selfcalls.CrossThreadCalls;
import dev.plume.smoke.selfcalls.OwnHelloClient;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Executor;

/** Registers the app's servlets and its filter through the Servlet API, as an application without web.xml does. */
final class AppServletInitializer implements ServletContainerInitializer {

    private final OwnHelloClient client;
    private final CrossThreadCalls calls;
    private final Executor executor;

    AppServletInitializer(OwnHelloClient client, CrossThreadCalls calls, Executor executor) {
        this.client = client;
        this.calls = calls;
        this.executor = executor;
    }

    @Override
    public void onStartup(Set<Class<?>> annotatedClasses, ServletContext context) {
        register(context, "hello", new FixedTextServlet("hello"), "/hello");
        register(context, "health", new FixedTextServlet("ok"), "/health");
        register(context, "headers", new TraceparentEchoServlet(), "/headers");
        register(context, "owners", new OwnersServlet(), "/owners/*");
        register(context, "handled", new HandledErrorServlet(), "/handled");
        register(context, "throws", new ThrowingServlet(), "/throws");
        register(context, "crossThread", new CrossThreadServlet(calls), CrossThreadServlet.PATHS);
        register(context, "async", new AsyncHelloServlet(client, executor, false), "/async");
        register(context, "asyncEarly", new AsyncHelloServlet(client, executor, true), "/async-early");
        register(context, "asyncDispatch", new AsyncDispatchServlet(executor), "/async-servlet");

        FilterRegistration.Dynamic servedBy = context.addFilter("servedBy", new ServedByFilter(ServletTomcat11App.APP_NAME));
        servedBy.setAsyncSupported(true);
        servedBy.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    }

    private static void register(ServletContext context, String name, Servlet servlet, String... paths) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        // Every servlet may take part in an async request, as the filter in front of it must.
        registration.setAsyncSupported(true);
        registration.addMapping(paths);
    }
}

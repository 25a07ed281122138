package dev.plume.smoke.jetty11;

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
import jakarta.servlet.Servlet;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

import java.util.EnumSet;
import java.util.concurrent.Executor;

/** Builds the app's root context: its servlets and its filter, registered in code through Jetty's holders. */
final class AppServletContext {

    private AppServletContext() {
    }

    static ServletContextHandler create(OwnHelloClient client, CrossThreadCalls calls, Executor executor) {
        // No sessions: no endpoint uses one, and a session manager would only add work to every request.
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
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

        FilterHolder servedBy = new FilterHolder(new ServedByFilter(ServletJetty11App.APP_NAME));
        servedBy.setName("servedBy");
        servedBy.setAsyncSupported(true);
        context.addFilter(servedBy, "/*", EnumSet.of(DispatcherType.REQUEST));
        return context;
    }

    private static void register(ServletContextHandler context, String name, Servlet servlet, String... paths) {
        ServletHolder holder = new ServletHolder(name, servlet);
        // Every servlet may take part in an async request, as the filter in front of it must.
        holder.setAsyncSupported(true);
        for (String path : paths) {
            // The same holder under several paths: one servlet, several mappings.
            context.addServlet(holder, path);
        }
    }
}

package dev.plume.smoke.undertow;

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
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;

import java.util.concurrent.Executor;

/** Describes the app's one deployment: its servlets and its filter, registered in code through Undertow's builders. */
final class AppDeployment {

    private AppDeployment() {
    }

    static DeploymentInfo create(OwnHelloClient client, CrossThreadCalls calls, Executor executor) {
        FilterInfo servedBy = Servlets.filter("servedBy", ServedByFilter.class,
                new ImmediateInstanceFactory<>(new ServedByFilter(ServletUndertowApp.APP_NAME)));
        servedBy.setAsyncSupported(true);
        return Servlets.deployment()
                .setClassLoader(AppDeployment.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName(ServletUndertowApp.APP_NAME)
                .addServlets(
                        servlet("hello", new FixedTextServlet("hello"), "/hello"),
                        servlet("health", new FixedTextServlet("ok"), "/health"),
                        servlet("headers", new TraceparentEchoServlet(), "/headers"),
                        servlet("owners", new OwnersServlet(), "/owners/*"),
                        servlet("handled", new HandledErrorServlet(), "/handled"),
                        servlet("throws", new ThrowingServlet(), "/throws"),
                        servlet("crossThread", new CrossThreadServlet(calls), CrossThreadServlet.PATHS),
                        servlet("async", new AsyncHelloServlet(client, executor, false), "/async"),
                        servlet("asyncEarly", new AsyncHelloServlet(client, executor, true), "/async-early"),
                        servlet("asyncDispatch", new AsyncDispatchServlet(executor), "/async-servlet"))
                .addFilter(servedBy)
                .addFilterUrlMapping("servedBy", "/*", DispatcherType.REQUEST);
    }

    private static ServletInfo servlet(String name, Servlet servlet, String... paths) {
        return Servlets.servlet(name, servlet.getClass(), new ImmediateInstanceFactory<>(servlet))
                .addMappings(paths)
                // Every servlet may take part in an async request, as the filter in front of it must.
                .setAsyncSupported(true);
    }
}

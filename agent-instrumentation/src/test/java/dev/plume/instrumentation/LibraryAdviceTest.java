package dev.plume.instrumentation;

import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.instrumentation.weave.InlineAdvice;
import dev.plume.instrumentation.weave.WovenLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every library's advice, through the real rewriter, on the real classes it targets: each advice is one Plume's weaver
 * inlines (a new advice using more of ByteBuddy's annotations than the weaver supports fails here, at build time), and
 * the woven classes are well formed (the Servlet API's are defined, so the JVM verifies them; the JDK's are checked by
 * the smoke tests, whose JVMs verify the boot loader's classes too).
 */
class LibraryAdviceTest {
    /** With a method list, so the methods instrumentation has targets too. */
    static final PlumeConfig CONFIG = PlumeConfig.of(Map.of("otel.instrumentation.methods.include",
        "java.lang.Runnable[run];java.util.concurrent.Callable[*]"), Map.of(), message -> {
        });
    private final AtomicLong transformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ClassRewriter rewriter = new ClassRewriter(null, transformed, failed);

    @Test
    void everyLibrarysAdviceCanBeInlined() {
        int advice = 0;
        for (LibraryInstrumentation library : PlumeInstaller.libraries(CONFIG)) {
            for (TypeTarget target : library.targets()) {
                for (Class<?> adviceClass : target.adviceClasses()) {
                    assertNotNull(InlineAdvice.of(adviceClass), adviceClass.getName());
                    advice++;
                }
            }
        }
        assertTrue(advice >= 9, "advice classes checked: " + advice);
    }

    @Test
    void servletAdviceIsWovenIntoBothServletApisAndTheClassesVerify() throws Exception {
        for (String api : List.of("javax.servlet", "jakarta.servlet")) {
            // Servlet#service, and ServletRequest#startAsync (both overloads) in the API's own request wrapper
            Class<?> servlet = wovenAndVerified(api + ".http.HttpServlet", api + ".Servlet");
            Class<?> wrapper = wovenAndVerified(api + ".ServletRequestWrapper", api + ".ServletRequest");
            assertEquals("woven", servlet.getClassLoader().getName());
            assertEquals("woven", wrapper.getClassLoader().getName());
        }
        assertEquals(0, failed.get());
    }

    @Test
    void jdbcAdviceIsWovenIntoARealDriverAndTheClassesVerify() throws Exception {
        for (String[] woven : List.of(new String[] {"org.h2.jdbc.JdbcStatement", "java.sql.Statement"},
            new String[] {"org.h2.jdbc.JdbcPreparedStatement", "java.sql.Statement"},
            new String[] {"org.h2.jdbc.JdbcConnection", "java.sql.Connection"})) {
            assertTrue(ContextCarrier.class.isAssignableFrom(wovenAndVerified(woven[0], woven[1])), woven[0]);
        }
        assertEquals(0, failed.get());
    }

    @Test
    void jedisAdviceIsWovenIntoTheOldestJedisAndTheClassVerifies() throws Exception {
        String className = "redis.clients.jedis.Connection";
        assertTrue(ContextCarrier.class.isAssignableFrom(wovenAndVerified(className, className)), className);
        assertEquals(0, failed.get());
    }

    @Test
    void lettuceAdviceIsWovenIntoTheOldestLettuceAndTheClassesVerify() throws Exception {
        wovenAndVerified("io.lettuce.core.StatefulRedisConnectionImpl", "io.lettuce.core.RedisChannelHandler");
        wovenAndVerified("io.lettuce.core.RedisChannelHandler", "io.lettuce.core.RedisChannelHandler");
        wovenAndVerified("io.lettuce.core.ConnectionState", "io.lettuce.core.ConnectionState");
        assertEquals(0, failed.get());
    }

    @Test
    void rabbitMqAdviceIsWovenIntoTheOldestClientAndTheClassesVerify() throws Exception {
        String channel = "com.rabbitmq.client.impl.ChannelN";
        assertTrue(ContextCarrier.class.isAssignableFrom(wovenAndVerified(channel, channel)), channel);
        wovenAndVerified("com.rabbitmq.client.DefaultConsumer", "com.rabbitmq.client.Consumer");
        assertEquals(0, failed.get());
    }

    @Test
    void kafkaAdviceIsWovenIntoTheOldestClientAndTheClassesVerify() throws Exception {
        for (String className : List.of("org.apache.kafka.clients.producer.KafkaProducer",
            "org.apache.kafka.clients.producer.KafkaProducer$InterceptorCallback",
            "org.apache.kafka.clients.consumer.KafkaConsumer", "org.apache.kafka.clients.consumer.ConsumerRecords")) {
            assertTrue(ContextCarrier.class.isAssignableFrom(wovenAndVerified(className, className)), className);
        }
        assertEquals(0, failed.get());
    }

    @Test
    void logbackAdviceIsWovenIntoTheOldestLogbackAndTheClassVerifies() throws Exception {
        String className = "ch.qos.logback.classic.spi.LoggingEvent";
        assertTrue(ContextCarrier.class.isAssignableFrom(wovenAndVerified(className, className)), className);
        assertEquals(0, failed.get());
    }

    @Test
    void log4jAdviceIsWovenIntoTheOldestLog4jsInjectorsAndTheClassesVerify() throws Exception {
        for (String kind : List.of("ForDefaultThreadContextMap", "ForGarbageFreeThreadContextMap",
            "ForCopyOnWriteThreadContextMap")) {
            wovenAndVerified("org.apache.logging.log4j.core.impl.ThreadContextDataInjector$" + kind,
                "org.apache.logging.log4j.core.ContextDataInjector");
        }
        assertEquals(0, failed.get());
    }

    @Test
    void slf4jMdcAdviceIsWovenAndTheClassVerifies() throws Exception {
        wovenAndVerified("org.slf4j.MDC", "org.slf4j.MDC");
        assertEquals(0, failed.get());
    }

    @Test
    void openTelemetryApiAdviceIsWovenIntoTheOldestApiAndTheClassesVerify() throws Exception {
        wovenAndVerified("io.opentelemetry.api.GlobalOpenTelemetry", "io.opentelemetry.api.GlobalOpenTelemetry");
        wovenAndVerified("io.opentelemetry.context.ContextStorage", "io.opentelemetry.context.ContextStorage");
        assertEquals(0, failed.get());
    }

    @Test
    void httpClientAdviceIsWovenIntoTheOldestApacheClientsAndOkHttp5AndTheClassesVerify() throws Exception {
        for (String className : List.of("org.apache.http.impl.client.InternalHttpClient",
            "org.apache.http.impl.client.MinimalHttpClient", "org.apache.http.impl.client.AbstractHttpClient",
            "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
            "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
            "org.apache.http.impl.execchain.MainClientExec", "org.apache.hc.client5.http.impl.classic.MainClientExec",
            "okhttp3.internal.http.RealInterceptorChain")) {
            wovenAndVerified(className, className);
        }
        // package-private classes (a loader of their own could not define them): woven, with the advice's fit checked
        String async = "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient";
        assertNotNull(rewrite(async, LibraryAdviceTest.class.getClassLoader(), targetsNaming(async)), async);
        String chain = "org.apache.hc.client5.http.impl.async.AsyncExecChainElement";
        assertNotNull(rewrite(chain, LibraryAdviceTest.class.getClassLoader(), targetsNaming(chain)), chain);
        for (String async4 : List.of("org.apache.http.impl.nio.client.InternalHttpAsyncClient",
            "org.apache.http.impl.nio.client.MainClientExec")) {
            assertNotNull(rewrite(async4, LibraryAdviceTest.class.getClassLoader(), targetsNaming(async4)), async4);
        }
        assertEquals(0, failed.get());
    }

    @Test
    void webClientAdviceFitsAndIsWovenIntoTheOldestSpringWebflux() throws Exception {
        // spring-webflux and spring-web 5.3.0: the exchange function is package-private, the connector needs optional
        // libraries to load, so each is rewritten with the advice's fit checked against the 5.3.0 classes (the JDK's
        // connector came in 6.0: the smoke test weaves it)
        for (String className : List.of(
            "org.springframework.web.reactive.function.client.ExchangeFunctions$DefaultExchangeFunction",
            "org.springframework.http.client.reactive.HttpComponentsClientHttpConnector")) {
            assertNotNull(rewrite(className, LibraryAdviceTest.class.getClassLoader(), targetsNaming(className)),
                className);
        }
        assertEquals(0, failed.get());
    }

    @Test
    void okHttpAdviceFitsAndIsWovenIntoTheOldestOkHttp3() throws Exception {
        String className = "okhttp3.internal.http.RealInterceptorChain";
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("plume.test.okhttp3.dir", "target/okhttp3"));
        List<java.net.URL> jars = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path jar : files.toList()) {
                jars.add(jar.toUri().toURL());
            }
        }
        assertEquals(2, jars.size(), "okhttp 3.4.2 and its okio in " + dir);
        ClassLoader oldest = new ChildFirstLoader(jars.toArray(new java.net.URL[0]), Map.of());
        byte[] original;
        try (InputStream in = oldest.getResourceAsStream(className.replace('.', '/') + ".class")) {
            original = in.readAllBytes();
        }
        byte[] woven = rewriter.rewrite(null, oldest, className.replace('.', '/'), null, original,
            targetsNaming(className));
        assertNotNull(woven, "the advice fits OkHttp 3.4.2");
        Class<?> type = Class.forName(className, false,
            new ChildFirstLoader(jars.toArray(new java.net.URL[0]), Map.of(className, woven)));
        type.getDeclaredMethods();
        assertEquals("okhttp 3.4.2", type.getClassLoader().getName());
        assertEquals(0, failed.get());
    }

    /** OkHttp and Okio from the given jars ahead of the test class path's (OkHttp 5), the agent's runtime from it. */
    private static final class ChildFirstLoader extends java.net.URLClassLoader {
        private final Map<String, byte[]> woven;

        ChildFirstLoader(java.net.URL[] jars, Map<String, byte[]> woven) {
            super("okhttp 3.4.2", jars, LibraryAdviceTest.class.getClassLoader());
            this.woven = woven;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("okhttp3.") && !name.startsWith("okio.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] bytes = woven.get(name);
                    loaded = bytes != null ? defineClass(name, bytes, 0, bytes.length) : findClass(name);
                }
                return loaded;
            }
        }

        @Override
        public java.net.URL getResource(String name) {
            java.net.URL own = findResource(name);
            return own != null ? own : super.getResource(name);
        }
    }

    /**
     * Rewrites {@code className} (from the test class path) with the targets naming {@code targetType}, defines the
     * result in a loader of its own and links it: a wrong frame is a VerifyError here.
     */
    private Class<?> wovenAndVerified(String className, String targetType) throws Exception {
        byte[] bytes = rewrite(className, LibraryAdviceTest.class.getClassLoader(), targetsNaming(targetType));
        assertNotNull(bytes, className);
        Class<?> type = Class.forName(className, false, new WovenLoader(Map.of(className, bytes)));
        type.getDeclaredMethods();
        return type;
    }

    @Test
    void theJdksTargetsAreWovenOnThisJdk() throws Exception {
        for (String name : List.of("java.util.concurrent.FutureTask", "java.util.concurrent.ForkJoinTask",
            "java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.CompletableFuture$AsyncSupply",
            "java.util.concurrent.CompletableFuture$AsyncRun", "java.util.concurrent.CompletableFuture",
            "java.util.concurrent.CompletableFuture$UniCompletion", "jdk.internal.net.http.HttpClientImpl",
            "sun.net.www.protocol.http.HttpURLConnection", "sun.net.www.protocol.https.AbstractDelegateHttpsURLConnection")) {
            assertNotNull(rewrite(name, null, targetsNaming(name)), name);
        }
        assertEquals(0, failed.get());
    }

    private byte[] rewrite(String className, ClassLoader loader, List<TypeTarget> targets) throws IOException {
        assertFalse(targets.isEmpty(), "targets for " + className);
        return rewriter.rewrite(null, loader, className.replace('.', '/'), null, classFile(className), targets);
    }

    /** The targets (of every library) that name this type, as a class or as a supertype. */
    private static List<TypeTarget> targetsNaming(String binaryName) {
        List<TypeTarget> found = new ArrayList<>();
        for (LibraryInstrumentation library : PlumeInstaller.libraries(CONFIG)) {
            for (TypeTarget target : library.targets()) {
                if (target.internalNames().contains(binaryName.replace('.', '/'))) {
                    target.library(library);
                    found.add(target);
                }
            }
        }
        return found;
    }

    private static byte[] classFile(String className) throws IOException {
        String resource = className.replace('.', '/') + ".class";
        ClassLoader loader = LibraryAdviceTest.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return in.readAllBytes();
        }
    }
}

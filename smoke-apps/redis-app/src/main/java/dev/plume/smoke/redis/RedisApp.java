package dev.plume.smoke.redis;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A JDK HTTP server whose requests talk to the Redis server of the machine. {@code GET /redis/jedis} runs one fixed
 * scenario with Jedis and answers what it read: through a {@code JedisPooled} a SET, GET, HSET, INCR and DEL; through a
 * {@code Jedis} on its own connection a SELECT of database 2 and a SET there, a pipeline of three SETs, a pipeline of
 * three different commands, a transaction, a command on the wrong type (a Redis error, caught); and a GET against a
 * port where no server listens (caught). {@code GET /redis/lettuce} does the same kinds of thing with Lettuce, on a
 * connection opened once to database 3: sync SET, GET, HSET, an async SET and GET (awaited), a reactive GET (blocked
 * on), an async pipeline of three SETs flushed at once, and a command on the wrong type (caught).
 *
 * <p>{@code GET /alloc/jedis} and {@code /alloc/lettuce} ({@code ?calls=N}) measure what one GET costs the request
 * thread: N calls to warm up, then N measured, reported as bytes allocated and nanoseconds per call.
 *
 * <p>System properties: {@code app.port} (default 0), {@code app.exit.on.stdin.eof}, {@code app.redis.host}
 * (127.0.0.1), {@code app.redis.port} (6379).
 */
public final class RedisApp {
    /** A value that must never reach a trace backend: the tests look for it in everything exported. */
    static final String SECRET = "s3cret-value-4711";

    private static final String HOST = System.getProperty("app.redis.host", "127.0.0.1");
    private static final int PORT = Integer.getInteger("app.redis.port", 6379);
    private static JedisPooled pooled;
    private static JedisPool pool;
    private static StatefulRedisConnection<String, String> lettuce;

    private RedisApp() {
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("app.port", 0)), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/redis/jedis", exchange -> respond(exchange, RedisApp::jedisScenario));
        server.createContext("/redis/lettuce", exchange -> respond(exchange, RedisApp::lettuceScenario));
        server.createContext("/alloc/", exchange -> respond(exchange, () -> allocation(exchange)));
        server.start();
        System.out.println("LISTENING " + server.getAddress().getPort());
        System.out.flush();
        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // only the end of the stream matters
                    }
                } catch (IOException e) {
                    // a broken stdin means the parent is gone, the same signal as EOF
                }
                System.exit(0);
            }, "redis-app-stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    private interface Scenario {
        String run() throws Exception;
    }

    private static void respond(HttpExchange exchange, Scenario scenario) throws IOException {
        int status = 200;
        String body;
        try {
            body = scenario.run();
        } catch (Exception e) {
            status = 500;
            body = e.toString();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String allocation(HttpExchange exchange) throws Exception {
        String client = exchange.getRequestURI().getPath().substring("/alloc/".length());
        String query = exchange.getRequestURI().getQuery();
        int calls = query != null && query.startsWith("calls=") ? Integer.parseInt(query.substring(6)) : 20_000;
        Runnable get;
        if (client.equals("jedis")) {
            JedisPooled redis = pooled();
            redis.set("plume:alloc", "value");
            get = () -> redis.get("plume:alloc");
        } else if (client.equals("lettuce")) {
            RedisCommands<String, String> sync = lettuce().sync();
            sync.set("plume:alloc", "value");
            get = () -> sync.get("plume:alloc");
        } else {
            throw new IllegalArgumentException("expected /alloc/jedis or /alloc/lettuce");
        }
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < calls; i++) {
            get.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            get.run();
        }
        long nanos = System.nanoTime() - start;
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        return String.format("calls=%d bytes_per_call=%d ns_per_call=%d", calls, bytes / calls, nanos / calls);
    }

    private static synchronized JedisPooled pooled() {
        if (pooled == null) {
            pooled = new JedisPooled(HOST, PORT);
        }
        return pooled;
    }

    private static synchronized JedisPool pool() {
        if (pool == null) {
            pool = new JedisPool(HOST, PORT);
        }
        return pool;
    }

    private static synchronized StatefulRedisConnection<String, String> lettuce() {
        if (lettuce == null) {
            RedisURI uri = RedisURI.builder().withHost(HOST).withPort(PORT).withDatabase(3).build();
            lettuce = RedisClient.create(uri).connect();
        }
        return lettuce;
    }

    private static String lettuceScenario() throws Exception {
        StringBuilder read = new StringBuilder();
        StatefulRedisConnection<String, String> connection = lettuce();
        RedisCommands<String, String> sync = connection.sync();
        sync.set("plume:lettuce:user", SECRET);
        read.append(SECRET.equals(sync.get("plume:lettuce:user")) ? "get-ok" : "get-wrong");
        sync.hset("plume:lettuce:hash", "name", SECRET);
        RedisAsyncCommands<String, String> async = connection.async();
        async.set("plume:lettuce:async", SECRET).get(5, TimeUnit.SECONDS);
        read.append(' ').append(SECRET.equals(async.get("plume:lettuce:async").get(5, TimeUnit.SECONDS))
            ? "async-ok" : "async-wrong");
        String reactive = connection.reactive().get("plume:lettuce:user").block();
        read.append(' ').append(SECRET.equals(reactive) ? "reactive-ok" : "reactive-wrong");
        connection.setAutoFlushCommands(false);
        try {
            var first = async.set("plume:lettuce:p1", SECRET);
            var second = async.set("plume:lettuce:p2", SECRET);
            var third = async.set("plume:lettuce:p3", SECRET);
            connection.flushCommands();
            boolean ok = "OK".equals(first.get(5, TimeUnit.SECONDS)) && "OK".equals(second.get(5, TimeUnit.SECONDS))
                && "OK".equals(third.get(5, TimeUnit.SECONDS));
            read.append(' ').append(ok ? "pipeline-ok" : "pipeline-wrong");
        } finally {
            connection.setAutoFlushCommands(true);
        }
        sync.set("plume:lettuce:string", "a string");
        try {
            sync.hget("plume:lettuce:string", "field");
            read.append(" no-error");
        } catch (RedisCommandExecutionException expected) {
            read.append(" wrongtype");
        }
        sync.del("plume:lettuce:user", "plume:lettuce:hash", "plume:lettuce:async", "plume:lettuce:p1",
            "plume:lettuce:p2", "plume:lettuce:p3", "plume:lettuce:string");
        return read.toString();
    }

    private static String jedisScenario() {
        StringBuilder read = new StringBuilder();
        JedisPooled redis = pooled();
        redis.set("plume:jedis:user", SECRET);
        read.append(SECRET.equals(redis.get("plume:jedis:user")) ? "get-ok" : "get-wrong");
        redis.hset("plume:jedis:hash", "name", SECRET);
        read.append(' ').append(redis.incr("plume:jedis:counter") > 0 ? "incr-ok" : "incr-wrong");
        redis.del("plume:jedis:user", "plume:jedis:hash");

        try (Jedis jedis = new Jedis(HOST, PORT)) {
            jedis.select(2);
            jedis.set("plume:jedis:db2", SECRET);
            Pipeline sets = jedis.pipelined();
            sets.set("plume:jedis:p1", SECRET);
            sets.set("plume:jedis:p2", SECRET);
            sets.set("plume:jedis:p3", SECRET);
            sets.sync();
            Pipeline mixed = jedis.pipelined();
            mixed.set("plume:jedis:p4", SECRET);
            Response<String> got = mixed.get("plume:jedis:p1");
            mixed.incr("plume:jedis:counter");
            mixed.sync();
            read.append(' ').append(SECRET.equals(got.get()) ? "pipeline-ok" : "pipeline-wrong");
            Transaction transaction = jedis.multi();
            transaction.set("plume:jedis:t1", SECRET);
            transaction.incr("plume:jedis:counter");
            List<Object> results = transaction.exec();
            read.append(' ').append(results != null && results.size() == 2 ? "multi-ok" : "multi-wrong");
            jedis.set("plume:jedis:string", "a string");
            try {
                jedis.hget("plume:jedis:string", "field");
                read.append(" no-error");
            } catch (JedisDataException expected) {
                read.append(" wrongtype");
            }
            jedis.del("plume:jedis:db2", "plume:jedis:p1", "plume:jedis:p2", "plume:jedis:p3", "plume:jedis:p4",
                "plume:jedis:t1", "plume:jedis:string");
        }
        try (Jedis pooledJedis = pool().getResource()) {
            read.append(' ').append(pooledJedis.exists("plume:jedis:none") ? "exists-wrong" : "exists-ok");
        }
        try (Jedis down = new Jedis(HOST, 1)) {
            down.get("plume:jedis:down");
            read.append(" no-failure");
        } catch (JedisConnectionException expected) {
            read.append(" down");
        }
        return read.toString();
    }
}

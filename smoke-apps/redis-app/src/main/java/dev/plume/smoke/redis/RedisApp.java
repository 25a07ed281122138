package dev.plume.smoke.redis;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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

/**
 * A JDK HTTP server whose requests talk to the Redis server of the machine. {@code GET /redis/jedis} runs one fixed
 * scenario with Jedis and answers what it read: through a {@code JedisPooled} a SET, GET, HSET, INCR and DEL; through a
 * {@code Jedis} on its own connection a SELECT of database 2 and a SET there, a pipeline of three SETs, a pipeline of
 * three different commands, a transaction, a command on the wrong type (a Redis error, caught); and a GET against a
 * port where no server listens (caught).
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

    private RedisApp() {
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("app.port", 0)), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/redis/jedis", exchange -> respond(exchange, RedisApp::jedisScenario));
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

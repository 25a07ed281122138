package dev.plume.smoke.jdbc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A JDK HTTP server whose requests talk to a database: {@code GET /db/<system>/<mode>} runs one fixed scenario against
 * H2 (in memory), PostgreSQL or MariaDB ({@code system}: {@code h2}, {@code postgresql}, {@code mariadb}), through
 * DriverManager or a HikariCP pool ({@code mode}: {@code direct}, {@code hikari}), and answers what it read. The
 * scenario: a table made and emptied by plain statements, three rows inserted by a prepared batch, a plain query with
 * literals in it, a prepared query run twice, a syntax error and a primary-key violation (both caught).
 * {@code GET /db/down/<mode>} connects to a PostgreSQL server that is not there and answers the SQLSTATE it got.
 *
 * {@code GET /alloc/<system>} measures what one prepared query allocates on the request thread.
 *
 * <p>System properties: {@code app.port} (default 0), {@code app.exit.on.stdin.eof}, {@code app.postgresql.url},
 * {@code app.mariadb.url} (the local servers' test databases by default).
 */
public final class JdbcApp {
    /** A literal that must never reach a trace backend: the tests look for it in everything exported. */
    static final String SECRET = "s3cret-literal-4711";

    private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    private JdbcApp() {
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("app.port", 0)), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/db/", JdbcApp::handle);
        server.createContext("/alloc/", JdbcApp::allocation);
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
            }, "jdbc-app-stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().split("/");
        int status = 200;
        String body;
        try {
            if (parts.length != 4) {
                throw new IllegalArgumentException("expected /db/<system>/<mode>");
            }
            body = scenario(parts[2], parts[3]);
        } catch (SQLException | RuntimeException e) {
            status = 500;
            body = e.toString();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * {@code GET /alloc/<system>?calls=N}: bytes allocated on this thread per execution of one prepared query, run
     * N times after as many warm-up runs (the benchmark of an agent's cost per database call; see BENCHMARKS.md).
     */
    private static void allocation(HttpExchange exchange) throws IOException {
        String system = exchange.getRequestURI().getPath().substring("/alloc/".length());
        String query = exchange.getRequestURI().getQuery();
        int calls = query != null && query.startsWith("calls=") ? Integer.parseInt(query.substring(6)) : 20_000;
        String body;
        int status = 200;
        try (Connection connection = connect(system, "direct")) {
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("CREATE TABLE IF NOT EXISTS plume_alloc (id INT PRIMARY KEY, name VARCHAR(64))");
                statement.executeUpdate("DELETE FROM plume_alloc");
                statement.executeUpdate("INSERT INTO plume_alloc (id, name) VALUES (1, 'one')");
            }
            com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            try (PreparedStatement select = connection.prepareStatement("SELECT name FROM plume_alloc WHERE id = ?")) {
                runQuery(select, calls);
                long before = threads.getCurrentThreadAllocatedBytes();
                long start = System.nanoTime();
                runQuery(select, calls);
                long nanos = System.nanoTime() - start;
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                body = String.format("calls=%d bytes_per_call=%d ns_per_call=%d", calls, bytes / calls, nanos / calls);
            }
        } catch (SQLException | RuntimeException e) {
            status = 500;
            body = e.toString();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void runQuery(PreparedStatement select, int calls) throws SQLException {
        for (int i = 0; i < calls; i++) {
            select.setInt(1, 1);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
            }
        }
    }

    private static String url(String system) {
        return switch (system) {
            case "h2" -> "jdbc:h2:mem:plume;DB_CLOSE_DELAY=-1";
            case "postgresql" -> System.getProperty("app.postgresql.url",
                "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
            case "mariadb" -> System.getProperty("app.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test?user=root");
            // a PostgreSQL server that is down: nothing listens on port 1
            case "down" -> "jdbc:postgresql://127.0.0.1:1/test?user=postgres&connectTimeout=2";
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    private static Connection connect(String system, String mode) throws SQLException {
        return switch (mode) {
            case "direct" -> DriverManager.getConnection(url(system));
            case "hikari" -> POOLS.computeIfAbsent(system, s -> {
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(url(s));
                config.setMaximumPoolSize(2);
                config.setPoolName("plume-" + s);
                return new HikariDataSource(config);
            }).getConnection();
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    private static String scenario(String system, String mode) throws SQLException {
        if (system.equals("down")) {
            try (Connection connection = connect(system, mode)) {
                return "connected to a server that should be down";
            } catch (SQLException | RuntimeException expected) {
                // HikariCP wraps the driver's failure in its own exception when the pool cannot start
                Throwable cause = expected;
                while (cause != null && !(cause instanceof SQLException)) {
                    cause = cause.getCause();
                }
                return "down " + (cause == null ? expected.getClass().getSimpleName() : ((SQLException) cause).getSQLState());
            }
        }
        String table = "plume_owners_" + mode;
        StringBuilder read = new StringBuilder();
        try (Connection connection = connect(system, mode)) {
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, name VARCHAR(64))");
                statement.executeUpdate("DELETE FROM " + table);
            }
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + table + " (id, name) VALUES (?, ?)")) {
                for (int id = 1; id <= 3; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, id == 2 ? SECRET : "owner-" + id);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT name FROM " + table + " WHERE name = '" + SECRET
                     + "' OR id IN (1, 3, 4711) ORDER BY id")) {
                while (rows.next()) {
                    read.append(rows.getString(1)).append(' ');
                }
            }
            try (PreparedStatement query = connection.prepareStatement("SELECT id, name FROM " + table + " WHERE id = ?")) {
                for (int id = 1; id <= 2; id++) {
                    query.setInt(1, id);
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            read.append(rows.getInt(1)).append(' ');
                        }
                    }
                }
            }
            try (Statement statement = connection.createStatement()) {
                statement.executeQuery("SELEC name FROM " + table + " WHERE name = '" + SECRET + "'");
                read.append("no-syntax-error ");
            } catch (SQLException expected) {
                read.append("syntax-error ");
            }
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + table + " (id, name) VALUES (?, ?)")) {
                insert.setInt(1, 1);
                insert.setString(2, SECRET);
                insert.executeUpdate();
                read.append("no-violation");
            } catch (SQLException expected) {
                read.append("violation");
            }
        }
        return read.toString().trim();
    }
}

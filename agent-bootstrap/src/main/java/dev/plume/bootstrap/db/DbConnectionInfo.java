package dev.plume.bootstrap.db;

import java.util.Locale;

/**
 * What a database span says about where it went, read once per connection from its JDBC URL (never by asking the
 * database): {@code db.system.name}, {@code db.namespace}, {@code server.address}, {@code server.port}.
 */
public final class DbConnectionInfo {
    static final DbConnectionInfo UNKNOWN = new DbConnectionInfo("other_sql", null, null, -1);

    private final String system;
    private final String namespace;
    private final String host;
    private final int port;

    DbConnectionInfo(String system, String namespace, String host, int port) {
        this.system = system;
        this.namespace = namespace;
        this.host = host;
        this.port = port;
    }

    public String system() {
        return system;
    }

    /** The database (or schema, or in-memory name) the URL names, or null. */
    public String namespace() {
        return namespace;
    }

    public String host() {
        return host;
    }

    /** The port the URL gives, or -1. */
    public int port() {
        return port;
    }

    /** Whether the dialect writes strings in double quotes (MySQL and MariaDB do, by default). */
    boolean doubleQuotedAreStrings() {
        return system.equals("mysql") || system.equals("mariadb");
    }

    /** Parses a JDBC URL; anything not understood gives {@code other_sql} and no server. */
    public static DbConnectionInfo fromUrl(String url) {
        if (url == null || !url.regionMatches(true, 0, "jdbc:", 0, 5)) {
            return UNKNOWN;
        }
        String rest = url.substring(5);
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return UNKNOWN;
        }
        String subprotocol = rest.substring(0, colon).toLowerCase(Locale.ROOT);
        String tail = rest.substring(colon + 1);
        if (subprotocol.equals("p6spy") || subprotocol.equals("tracing") || subprotocol.equals("log4jdbc")) {
            return fromUrl("jdbc:" + tail); // wrappers put the real URL behind their own prefix
        }
        return switch (subprotocol) {
            case "postgresql", "pgsql" -> hostAndPath("postgresql", tail, 5432);
            case "mariadb" -> hostAndPath("mariadb", tail, 3306);
            case "mysql" -> hostAndPath("mysql", stripProtocol(tail), 3306);
            case "sqlserver", "jtds" -> sqlServer(tail);
            case "oracle" -> oracle(tail);
            case "h2" -> embedded("h2", tail);
            case "hsqldb" -> embedded("hsqldb", tail);
            case "derby" -> embedded("derby", tail);
            case "sqlite" -> new DbConnectionInfo("sqlite", tail.isEmpty() ? null : tail, null, -1);
            case "db2", "as400" -> hostAndPath("ibm.db2", tail, 50000);
            case "clickhouse", "ch" -> hostAndPath("clickhouse", stripProtocol(tail), 8123);
            default -> new DbConnectionInfo("other_sql", null, null, -1);
        };
    }

    /** {@code //host[:port][,host2...]/database[?params]}; the first host is the one reported. */
    private static DbConnectionInfo hostAndPath(String system, String tail, int defaultPort) {
        if (!tail.startsWith("//")) {
            return new DbConnectionInfo(system, null, null, -1);
        }
        String authorityAndPath = tail.substring(2);
        int slash = authorityAndPath.indexOf('/');
        String authority = slash < 0 ? cutParameters(authorityAndPath) : authorityAndPath.substring(0, slash);
        String path = slash < 0 ? null : cutParameters(authorityAndPath.substring(slash + 1));
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1); // never report credentials
        }
        int comma = authority.indexOf(',');
        if (comma >= 0) {
            authority = authority.substring(0, comma);
        }
        String host = authority;
        int port = defaultPort;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            host = close < 0 ? authority : authority.substring(1, close);
            port = close >= 0 && close + 1 < authority.length() && authority.charAt(close + 1) == ':'
                ? parsePort(authority.substring(close + 2), defaultPort) : defaultPort;
        } else {
            int portColon = authority.lastIndexOf(':');
            if (portColon >= 0) {
                host = authority.substring(0, portColon);
                port = parsePort(authority.substring(portColon + 1), defaultPort);
            }
        }
        return new DbConnectionInfo(system, path == null || path.isEmpty() ? null : path,
            host.isEmpty() ? null : host, host.isEmpty() ? -1 : port);
    }

    private static String stripProtocol(String tail) {
        // jdbc:mysql:loadbalance://..., jdbc:clickhouse:http://...
        int slashes = tail.indexOf("//");
        return slashes > 0 ? tail.substring(slashes) : tail;
    }

    private static DbConnectionInfo sqlServer(String tail) {
        // //host[\instance][:port][;databaseName=x;...]
        String body = tail.startsWith("//") ? tail.substring(2) : tail;
        int semicolon = body.indexOf(';');
        String authority = semicolon < 0 ? body : body.substring(0, semicolon);
        String database = null;
        for (String property : (semicolon < 0 ? "" : body.substring(semicolon + 1)).split(";")) {
            int eq = property.indexOf('=');
            if (eq > 0) {
                String key = property.substring(0, eq).trim();
                if (key.equalsIgnoreCase("databaseName") || key.equalsIgnoreCase("database")) {
                    database = property.substring(eq + 1).trim();
                }
            }
        }
        int slash = authority.indexOf('/');
        if (slash >= 0) {
            authority = authority.substring(0, slash);
        }
        int port = 1433;
        int colon = authority.lastIndexOf(':');
        String host = authority;
        if (colon >= 0) {
            host = authority.substring(0, colon);
            port = parsePort(authority.substring(colon + 1), 1433);
        }
        int backslash = host.indexOf('\\');
        if (backslash >= 0) {
            host = host.substring(0, backslash);
        }
        return new DbConnectionInfo("microsoft.sql_server", database, host.isEmpty() ? null : host,
            host.isEmpty() ? -1 : port);
    }

    private static DbConnectionInfo oracle(String tail) {
        // thin:@host:port:SID, thin:@//host:port/service, thin:@(DESCRIPTION=...)
        int at = tail.indexOf('@');
        if (at < 0) {
            return new DbConnectionInfo("oracle.db", null, null, -1);
        }
        String target = tail.substring(at + 1);
        if (target.startsWith("//")) {
            return hostAndPath("oracle.db", target, 1521);
        }
        if (target.startsWith("(")) {
            return new DbConnectionInfo("oracle.db", null, null, -1);
        }
        String[] parts = target.split(":");
        String host = parts[0];
        int port = parts.length > 1 ? parsePort(parts[1], 1521) : 1521;
        String sid = parts.length > 2 ? parts[2] : null;
        return new DbConnectionInfo("oracle.db", sid, host.isEmpty() ? null : host, host.isEmpty() ? -1 : port);
    }

    /** {@code mem:name}, {@code file:path}, {@code tcp://host:port/name}, or a bare path. */
    private static DbConnectionInfo embedded(String system, String tail) {
        String body = cutParameters(tail);
        int semicolon = body.indexOf(';');
        if (semicolon >= 0) {
            body = body.substring(0, semicolon);
        }
        String lower = body.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tcp:") || lower.startsWith("ssl:") || lower.startsWith("hsql:")
            || lower.startsWith("hsqls:")) {
            return hostAndPath(system, body.substring(body.indexOf(':') + 1),
                system.equals("h2") ? 9092 : system.equals("hsqldb") ? 9001 : 1527);
        }
        if (body.startsWith("//")) {
            return hostAndPath(system, body, system.equals("derby") ? 1527 : 9092);
        }
        String name = body;
        for (String prefix : new String[] {"mem:", "file:", "zip:", "res:", "directory:", "memory:"}) {
            if (lower.startsWith(prefix)) {
                name = body.substring(prefix.length());
                break;
            }
        }
        return new DbConnectionInfo(system, name.isEmpty() ? null : name, null, -1);
    }

    private static String cutParameters(String text) {
        int question = text.indexOf('?');
        return question < 0 ? text : text.substring(0, question);
    }

    private static int parsePort(String text, int defaultPort) {
        try {
            int port = Integer.parseInt(text.trim());
            return port > 0 && port < 65536 ? port : defaultPort;
        } catch (NumberFormatException e) {
            return defaultPort;
        }
    }
}

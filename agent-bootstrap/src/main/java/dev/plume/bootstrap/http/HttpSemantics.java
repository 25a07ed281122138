package dev.plume.bootstrap.http;

import java.net.InetAddress;

/**
 * Library-neutral pieces of the stable HTTP semantic conventions, shared by every HTTP instrumentation: method
 * normalization, status strings, Host header parsing, protocol versions. Results are constants or per-thread cached
 * values, so a steady stream of requests allocates nothing here.
 */
public final class HttpSemantics {
    /** The value of {@code http.request.method} for methods outside the known set. */
    public static final String OTHER_METHOD = "_OTHER";
    private static final String[] KNOWN_METHODS = {
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT", "QUERY"
    };
    private static final String[] STATUS_STRINGS = new String[600];
    private static final ThreadLocal<Object[]> HOST_CACHE = ThreadLocal.withInitial(() -> new Object[4]);

    static {
        for (int i = 100; i < STATUS_STRINGS.length; i++) {
            STATUS_STRINGS[i] = Integer.toString(i).intern();
        }
    }

    private HttpSemantics() {
    }

    /** The method as the conventions name it: the known method constant, or null when it is not a known method. */
    public static String knownMethod(String method) {
        if (method == null) {
            return null;
        }
        for (String known : KNOWN_METHODS) {
            if (known.equals(method)) {
                return known;
            }
        }
        return null;
    }

    /** {@code error.type} and friends need the status code as a string; common codes come from a table. */
    public static String statusString(int statusCode) {
        return statusCode >= 0 && statusCode < STATUS_STRINGS.length && STATUS_STRINGS[statusCode] != null
            ? STATUS_STRINGS[statusCode] : Integer.toString(statusCode);
    }

    /** {@code network.protocol.version} from a request line's protocol such as {@code HTTP/1.1}. */
    public static String protocolVersion(String protocol) {
        if (protocol == null) {
            return null;
        }
        return switch (protocol) {
            case "HTTP/1.1" -> "1.1";
            case "HTTP/1.0" -> "1.0";
            case "HTTP/2", "HTTP/2.0" -> "2";
            case "HTTP/3" -> "3";
            default -> protocol.startsWith("HTTP/") ? protocol.substring(5) : null;
        };
    }

    /** The host part of a Host header ({@code server.address}); bracketed IPv6 keeps no brackets. */
    public static String hostOf(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return null;
        }
        Object[] cache = HOST_CACHE.get();
        if (hostHeader.equals(cache[0])) {
            return (String) cache[1];
        }
        String host;
        if (hostHeader.charAt(0) == '[') {
            int close = hostHeader.indexOf(']');
            host = close > 1 ? hostHeader.substring(1, close) : null;
        } else {
            int colon = hostHeader.indexOf(':');
            host = colon < 0 ? hostHeader : colon == 0 ? null : hostHeader.substring(0, colon);
        }
        cache[0] = hostHeader;
        cache[1] = host;
        return host;
    }

    /** The port of a Host header, or {@code defaultPort} when it names none; -1 when it is malformed. */
    public static int portOf(String hostHeader, int defaultPort) {
        if (hostHeader == null) {
            return defaultPort;
        }
        int start = hostHeader.lastIndexOf(':');
        int bracket = hostHeader.lastIndexOf(']');
        if (start < 0 || start < bracket) {
            return defaultPort;
        }
        int port = 0;
        int length = hostHeader.length();
        if (start + 1 == length || length - start > 6) {
            return -1;
        }
        for (int i = start + 1; i < length; i++) {
            char c = hostHeader.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : -1;
    }

    /** The textual address ({@code client.address}), cached per thread for the last address seen. */
    public static String addressOf(InetAddress address) {
        if (address == null) {
            return null;
        }
        Object[] cache = HOST_CACHE.get();
        if (cache[2] == address || address.equals(cache[2])) {
            return (String) cache[3];
        }
        String text = address.getHostAddress();
        cache[2] = address;
        cache[3] = text;
        return text;
    }

    /** The default port of a URL scheme. */
    public static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }
}

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

    /**
     * Query parameters whose values {@code url.full} never shows: the semantic conventions' list
     * ({@code AWSAccessKeyId}, {@code Signature}, {@code sig}, {@code X-Goog-Signature}) and other signed-URL and token
     * parameters; compared ignoring case.
     */
    private static final String[] SENSITIVE_QUERY_KEYS = {
        "AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature", "X-Amz-Signature", "X-Amz-Credential",
        "X-Amz-Security-Token", "X-Goog-Credential", "token", "access_token"
    };

    /**
     * A URL as {@code url.full} may show it: user information becomes {@code REDACTED:REDACTED} and the values of
     * {@link #SENSITIVE_QUERY_KEYS sensitive query parameters} {@code REDACTED}. A URL with neither is returned as it
     * is, so the common case allocates nothing.
     */
    public static String redactedUrl(String url) {
        if (url == null) {
            return null;
        }
        int authority = url.indexOf("//");
        int query = url.indexOf('?');
        int fragment = url.indexOf('#');
        int queryEnd = fragment < 0 ? url.length() : fragment;
        if (query > queryEnd) {
            query = -1; // a '?' inside the fragment
        }
        int at = -1;
        if (authority >= 0 && (query < 0 || authority < query) && authority < queryEnd) {
            int authorityEnd = authority + 2;
            while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            at = url.lastIndexOf('@', authorityEnd - 1);
            if (at < authority + 2) {
                at = -1;
            }
        }
        if (at < 0 && (query < 0 || !hasSensitiveKey(url, query + 1, queryEnd))) {
            return url;
        }
        StringBuilder out = new StringBuilder(url.length() + 16);
        int from = 0;
        if (at >= 0) {
            out.append(url, 0, authority + 2).append("REDACTED:REDACTED");
            from = at;
        }
        if (query < 0) {
            return out.append(url, from, url.length()).toString();
        }
        out.append(url, from, query + 1);
        int start = query + 1;
        while (start <= queryEnd) {
            int amp = url.indexOf('&', start);
            int end = amp < 0 || amp > queryEnd ? queryEnd : amp;
            int eq = url.indexOf('=', start);
            if (eq >= 0 && eq < end && isSensitiveKey(url, start, eq)) {
                out.append(url, start, eq + 1).append("REDACTED");
            } else {
                out.append(url, start, end);
            }
            if (end == queryEnd) {
                break;
            }
            out.append('&');
            start = end + 1;
        }
        return out.append(url, queryEnd, url.length()).toString();
    }

    /** A query string ({@code url.query}) with the values of sensitive parameters redacted, as {@link #redactedUrl}. */
    public static String redactedQuery(String query) {
        if (query == null || !hasSensitiveKey(query, 0, query.length())) {
            return query;
        }
        String redacted = redactedUrl("?" + query);
        return redacted.substring(1);
    }

    private static boolean hasSensitiveKey(String url, int start, int queryEnd) {
        while (start < queryEnd) {
            int amp = url.indexOf('&', start);
            int end = amp < 0 || amp > queryEnd ? queryEnd : amp;
            int eq = url.indexOf('=', start);
            if (eq >= 0 && eq < end && isSensitiveKey(url, start, eq)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static boolean isSensitiveKey(String url, int start, int end) {
        int length = end - start;
        for (String key : SENSITIVE_QUERY_KEYS) {
            if (key.length() == length && url.regionMatches(true, start, key, 0, length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code network.protocol.version} from what a client library names the protocol: a status line or protocol text
     * ({@code HTTP/1.1 200 OK}, {@code HTTP/1.0}), or OkHttp's names ({@code http/1.1}, {@code h2}, {@code h3}); null
     * when unknown. Constants only.
     */
    public static String clientProtocolVersion(String protocol) {
        if (protocol == null || protocol.isEmpty()) {
            return null;
        }
        if (protocol.regionMatches(true, 0, "HTTP/1.1", 0, 8)) {
            return "1.1";
        }
        if (protocol.regionMatches(true, 0, "HTTP/1.0", 0, 8)) {
            return "1.0";
        }
        if (protocol.regionMatches(true, 0, "HTTP/2", 0, 6) || protocol.startsWith("h2")) {
            return "2";
        }
        if (protocol.regionMatches(true, 0, "HTTP/3", 0, 6) || protocol.equals("h3") || protocol.equals("quic")) {
            return "3";
        }
        return null;
    }

    /** {@code network.protocol.version} from a protocol's major and minor version numbers; null when unknown. */
    public static String clientProtocolVersion(int major, int minor) {
        if (major == 1) {
            return minor == 1 ? "1.1" : minor == 0 ? "1.0" : null;
        }
        return major == 2 ? "2" : major == 3 ? "3" : null;
    }

    /** The default port of a URL scheme. */
    public static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }
}

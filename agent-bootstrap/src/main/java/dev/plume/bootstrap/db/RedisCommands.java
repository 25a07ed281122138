package dev.plume.bootstrap.db;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code db.query.text} of a Redis command: the command and its arguments as {@code redis-cli} would show them,
 * with every argument that can hold application data replaced by {@code ?}. Keys, field names, counts, options and
 * the names of scripts stay (they say what was done, the way the OpenTelemetry agent shows them); values, members,
 * scores, messages and passwords go: {@code SET user:42 ?}, {@code HSET user:42 name ? email ?}, {@code AUTH ?}. A
 * command this table does not know keeps no argument at all. The text is cut at {@value #MAX_TEXT} characters.
 */
public final class RedisCommands {
    static final int MAX_TEXT = 8 * 1024;
    /** Every argument stays. */
    private static final int KEEP_ALL = Integer.MAX_VALUE;
    /** The script (or its digest), the key count and the keys stay; the script's arguments go. */
    private static final int SCRIPT = Integer.MIN_VALUE;
    /** Rules below zero: {@code -(n + 1)} keeps n leading arguments, then every other one (keys of key/value pairs). */
    private static final Map<String, Integer> RULES = new HashMap<>();

    static {
        keep(KEEP_ALL,
            // keys only, or keys and counts/options: nothing the application stored
            "GET", "MGET", "GETBIT", "GETRANGE", "STRLEN", "INCR", "INCRBY", "INCRBYFLOAT", "DECR", "DECRBY",
            "BITCOUNT", "BITFIELD", "BITOP", "BITPOS", "SETBIT", "STRALGO", "LCS", "GETDEL", "GETEX",
            "DEL", "UNLINK", "EXISTS", "EXPIRE", "EXPIREAT", "PEXPIRE", "PEXPIREAT", "EXPIRETIME", "PEXPIRETIME",
            "PERSIST", "TTL", "PTTL", "TYPE", "TOUCH", "KEYS", "SCAN", "RANDOMKEY", "RENAME", "RENAMENX", "MOVE", "COPY",
            "DUMP", "OBJECT", "SORT", "SORT_RO", "WAIT", "WAITAOF",
            "HGET", "HMGET", "HDEL", "HEXISTS", "HGETALL", "HKEYS", "HVALS", "HLEN", "HSTRLEN", "HINCRBY",
            "HINCRBYFLOAT", "HSCAN", "HRANDFIELD", "HGETDEL", "HEXPIRE", "HPEXPIRE", "HTTL", "HPTTL", "HPERSIST",
            "LINDEX", "LLEN", "LRANGE", "LTRIM", "LPOP", "RPOP", "RPOPLPUSH", "LMOVE", "BLMOVE", "BLPOP", "BRPOP",
            "BRPOPLPUSH", "LMPOP", "BLMPOP",
            "SCARD", "SMEMBERS", "SPOP", "SRANDMEMBER", "SSCAN", "SDIFF", "SDIFFSTORE", "SINTER", "SINTERSTORE",
            "SINTERCARD", "SUNION", "SUNIONSTORE",
            "ZCARD", "ZRANGE", "ZRANGESTORE", "ZREVRANGE", "ZREMRANGEBYRANK", "ZPOPMIN", "ZPOPMAX", "BZPOPMIN",
            "BZPOPMAX", "ZMPOP", "BZMPOP", "ZINTER", "ZINTERSTORE", "ZINTERCARD", "ZUNION", "ZUNIONSTORE", "ZDIFF",
            "ZDIFFSTORE", "ZSCAN", "ZRANDMEMBER",
            "PFCOUNT", "PFMERGE",
            "GEODIST", "GEOHASH", "GEOPOS", "GEORADIUS", "GEORADIUS_RO", "GEORADIUSBYMEMBER", "GEOSEARCH",
            "XACK", "XCLAIM", "XAUTOCLAIM", "XDEL", "XGROUP", "XINFO", "XLEN", "XPENDING", "XRANGE", "XREVRANGE",
            "XREAD", "XREADGROUP", "XTRIM",
            "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE", "PUBSUB",
            "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
            "SELECT", "PING", "ECHO", "QUIT", "RESET", "CLIENT", "READONLY", "READWRITE", "CLUSTER",
            "SCRIPT", "FUNCTION",
            "DBSIZE", "FLUSHDB", "FLUSHALL", "INFO", "TIME", "COMMAND", "ROLE", "LASTSAVE", "SAVE", "BGSAVE",
            "BGREWRITEAOF", "SLOWLOG", "LATENCY", "MEMORY", "MODULE", "MONITOR", "DEBUG", "SWAPDB", "LOLWUT",
            "REPLICAOF", "SLAVEOF", "SHUTDOWN", "SYNC", "PSYNC");
        // the key stays, what is stored under it goes
        keep(1, "SET", "SETNX", "GETSET", "APPEND", "SETRANGE", "LPUSH", "LPUSHX", "RPUSH", "RPUSHX", "LREM", "LSET",
            "LPOS", "SADD", "SREM", "SISMEMBER", "SMISMEMBER", "ZADD", "ZREM", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK",
            "ZINCRBY", "ZCOUNT", "ZLEXCOUNT", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX",
            "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "PFADD", "PUBLISH", "SPUBLISH", "GEOADD");
        // a key and one more argument that is not data (a field, a pivot, a TTL), then data
        keep(2, "SETEX", "PSETEX", "HSETNX", "LINSERT", "SMOVE", "RESTORE", "CONFIG", "HELLO");
        keep(6, "MIGRATE"); // host port key db timeout, then an AUTH password may follow
        keep(0, "AUTH"); // every argument is a credential
        keep(1, "ACL"); // the subcommand; ACL SETUSER carries passwords
        RULES.put("MSET", -1);
        RULES.put("MSETNX", -1);
        RULES.put("HSET", -2);
        RULES.put("HMSET", -2);
        RULES.put("XADD", -3); // key id, then field value pairs (options before the id are kept as "fields")
        RULES.put("EVAL", SCRIPT);
        RULES.put("EVALSHA", SCRIPT);
        RULES.put("EVAL_RO", SCRIPT);
        RULES.put("EVALSHA_RO", SCRIPT);
        RULES.put("FCALL", SCRIPT);
        RULES.put("FCALL_RO", SCRIPT);
    }

    private static void keep(int rule, String... commands) {
        for (String command : commands) {
            RULES.put(command, rule);
        }
    }

    private RedisCommands() {
    }

    /** A command's arguments (the command name not included). */
    public interface Arguments {
        int count();

        /** The argument's bytes (Redis arguments are binary strings). */
        byte[] bytes(int index);
    }

    /** Arguments held as byte arrays, from {@code from} on (advice collects a client's arguments this way). */
    public static Arguments of(byte[][] raw, int from) {
        return new Arguments() {
            @Override
            public int count() {
                return raw == null ? 0 : Math.max(raw.length - from, 0);
            }

            @Override
            public byte[] bytes(int index) {
                return raw[from + index];
            }
        };
    }

    /**
     * The command's text: {@code name} (upper case) and its arguments, sanitized unless {@code sanitize} is false
     * (then every argument stays, as {@code otel.instrumentation.common.db-statement-sanitizer.enabled=false} asks).
     */
    public static String text(String name, Arguments arguments, boolean sanitize) {
        int count = arguments == null ? 0 : arguments.count();
        int rule = !sanitize ? KEEP_ALL : RULES.getOrDefault(name, 0);
        int keptLeading = rule;
        if (rule == SCRIPT) {
            // EVAL script numkeys key... arg...: the script, the count and the keys
            keptLeading = count >= 2 ? 2 + Math.max(0, Math.min(count - 2, parseCount(arguments.bytes(1)))) : count;
        }
        StringBuilder text = new StringBuilder(name.length() + 8 * count).append(name);
        for (int i = 0; i < count && text.length() < MAX_TEXT; i++) {
            boolean keep;
            if (rule < 0 && rule != SCRIPT) {
                int leading = -rule - 1;
                keep = i < leading || (i - leading) % 2 == 0;
            } else {
                keep = i < keptLeading;
            }
            text.append(' ');
            if (keep) {
                appendArgument(text, arguments.bytes(i));
            } else {
                text.append('?');
            }
        }
        if (text.length() > MAX_TEXT) {
            text.setLength(MAX_TEXT);
        }
        return text.toString();
    }

    /**
     * The arguments in RESP bulk strings read in place from {@code resp} (position to limit, left unchanged): the
     * bytes of an argument are copied only when the text keeps it. What cannot be read ends the list.
     */
    public static Arguments bulkStrings(java.nio.ByteBuffer resp) {
        if (resp == null) {
            return of(null, 1);
        }
        int start = resp.position();
        int limit = resp.limit();
        int count = 0;
        int[] spans = new int[16];
        int at = start;
        while (at < limit && resp.get(at) == '$') {
            int lineEnd = -1;
            for (int i = at; i + 1 < limit; i++) {
                if (resp.get(i) == '\r' && resp.get(i + 1) == '\n') {
                    lineEnd = i;
                    break;
                }
            }
            if (lineEnd < 0 || lineEnd - at - 1 < 1 || lineEnd - at - 1 > 9) {
                break;
            }
            int length = 0;
            for (int i = at + 1; i < lineEnd; i++) {
                byte digit = resp.get(i);
                if (digit < '0' || digit > '9') {
                    length = -1;
                    break;
                }
                length = length * 10 + (digit - '0');
            }
            int next = lineEnd + 2 + length + 2;
            if (length < 0 || next > limit) {
                break;
            }
            if (2 * count + 2 > spans.length) {
                spans = java.util.Arrays.copyOf(spans, spans.length * 2);
            }
            spans[2 * count] = lineEnd + 2;
            spans[2 * count + 1] = length;
            count++;
            at = next;
        }
        int found = count;
        int[] bounds = spans;
        return new Arguments() {
            @Override
            public int count() {
                return found;
            }

            @Override
            public byte[] bytes(int index) {
                byte[] bytes = new byte[bounds[2 * index + 1]];
                resp.get(bounds[2 * index], bytes);
                return bytes;
            }
        };
    }

    /** The upper-case name of a command given as its raw bytes ({@code get} and {@code GET} are one command). */
    public static String name(byte[] raw) {
        if (raw == null) {
            return "UNKNOWN";
        }
        char[] chars = new char[raw.length];
        for (int i = 0; i < raw.length; i++) {
            int c = raw[i] & 0xFF;
            chars[i] = (char) (c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        return new String(chars);
    }

    /** The error prefix of a Redis error reply ({@code WRONGTYPE Operation against ...}: {@code WRONGTYPE}), or null. */
    public static String errorPrefix(String message) {
        if (message == null) {
            return null;
        }
        int end = 0;
        while (end < message.length() && message.charAt(end) >= 'A' && message.charAt(end) <= 'Z') {
            end++;
        }
        boolean word = end > 1 && (end == message.length() || message.charAt(end) == ' ');
        return word ? message.substring(0, end) : null;
    }

    private static void appendArgument(StringBuilder text, byte[] bytes) {
        if (bytes == null) {
            text.append("null");
            return;
        }
        int room = MAX_TEXT - text.length();
        int length = Math.min(bytes.length, Math.max(room, 0));
        text.append(new String(bytes, 0, length, StandardCharsets.UTF_8));
    }

    private static int parseCount(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes.length > 9) {
            return 0;
        }
        int value = 0;
        for (byte b : bytes) {
            if (b < '0' || b > '9') {
                return 0;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }
}

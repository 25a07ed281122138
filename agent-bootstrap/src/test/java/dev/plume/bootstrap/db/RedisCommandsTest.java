package dev.plume.bootstrap.db;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisCommandsTest {
    private static String text(String command, String... args) {
        byte[][] raw = new byte[args.length + 1][];
        raw[0] = command.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < args.length; i++) {
            raw[i + 1] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return RedisCommands.text(RedisCommands.name(raw[0]), RedisCommands.of(raw, 1), true);
    }

    @Test
    void keysStayAndStoredValuesGo() {
        assertEquals("SET user:42 ?", text("set", "user:42", "secret"));
        assertEquals("SET user:42 ? ? ?", text("SET", "user:42", "secret", "EX", "10"));
        assertEquals("GET user:42", text("GET", "user:42"));
        assertEquals("MGET a b c", text("MGET", "a", "b", "c"));
        assertEquals("DEL a b", text("DEL", "a", "b"));
        assertEquals("SETEX k 10 ?", text("SETEX", "k", "10", "secret"));
        assertEquals("LPUSH list ? ?", text("LPUSH", "list", "one", "two"));
        assertEquals("ZADD board ? ?", text("ZADD", "board", "12", "alice"));
        assertEquals("PUBLISH news ?", text("PUBLISH", "news", "the message"));
    }

    @Test
    void keyValuePairsKeepTheirKeys() {
        assertEquals("MSET a ? b ?", text("MSET", "a", "1", "b", "2"));
        assertEquals("HSET user name ? email ?", text("HSET", "user", "name", "alice", "email", "a@example.com"));
        assertEquals("HMSET user name ?", text("HMSET", "user", "name", "alice"));
        assertEquals("XADD stream * field ?", text("XADD", "stream", "*", "field", "value"));
    }

    @Test
    void credentialsAndUnknownCommandsKeepNothing() {
        assertEquals("AUTH ?", text("AUTH", "password"));
        assertEquals("AUTH ? ?", text("AUTH", "user", "password"));
        assertEquals("HELLO 3 AUTH ? ?", text("HELLO", "3", "AUTH", "user", "password"));
        assertEquals("CONFIG SET requirepass ?", text("CONFIG", "SET", "requirepass", "secret"));
        assertEquals("ACL SETUSER ? ?", text("ACL", "SETUSER", "alice", ">password"));
        assertEquals("MIGRATE host 6379 key 0 5000 AUTH ?", text("MIGRATE", "host", "6379", "key", "0", "5000", "AUTH",
            "secret"));
        assertEquals("SOMEMODULE.CMD ? ?", text("somemodule.cmd", "a", "b"));
    }

    @Test
    void scriptsKeepTheScriptTheCountAndTheKeys() {
        assertEquals("EVAL return 1 2 k1 k2 ? ?", text("EVAL", "return 1", "2", "k1", "k2", "a1", "a2"));
        assertEquals("EVALSHA abc 0 ?", text("EVALSHA", "abc", "0", "a1"));
        assertEquals("EVAL s x ?", text("EVAL", "s", "x", "a1")); // a key count that is not a number keeps no key
        assertEquals("EVAL s", text("EVAL", "s"));
    }

    @Test
    void theSanitizerSwitchKeepsEverything() {
        byte[][] raw = {"SET".getBytes(StandardCharsets.UTF_8), "k".getBytes(StandardCharsets.UTF_8),
            "v".getBytes(StandardCharsets.UTF_8)};
        assertEquals("SET k v", RedisCommands.text("SET", RedisCommands.of(raw, 1), false));
    }

    @Test
    void longTextIsCut() {
        String key = "k".repeat(20_000);
        String text = text("GET", key);
        assertEquals(RedisCommands.MAX_TEXT, text.length());
        assertTrue(text.startsWith("GET kkk"));
    }

    @Test
    void respBulkStringsAreReadAsArgumentsInPlace() {
        java.nio.ByteBuffer resp = java.nio.ByteBuffer.wrap(
            "$3\r\nkey\r\n$12\r\nhello\r\nworld\r\n$0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        RedisCommands.Arguments args = RedisCommands.bulkStrings(resp);
        assertEquals(3, args.count());
        assertEquals("key", new String(args.bytes(0), StandardCharsets.UTF_8));
        assertEquals("hello\r\nworld", new String(args.bytes(1), StandardCharsets.UTF_8)); // binary-safe: by length
        assertEquals("", new String(args.bytes(2), StandardCharsets.UTF_8));
        assertEquals(0, resp.position(), "the buffer is read in place, not consumed");
        assertEquals("SET key ? ?", RedisCommands.text("SET", args, true));
        // what cannot be read ends the list, it never throws
        assertEquals(1, RedisCommands.bulkStrings(java.nio.ByteBuffer.wrap(
            "$3\r\nkey\r\n$99\r\nshort\r\n".getBytes(StandardCharsets.UTF_8))).count());
        assertEquals(0, RedisCommands.bulkStrings(java.nio.ByteBuffer.wrap(
            "*1\r\n".getBytes(StandardCharsets.UTF_8))).count());
        assertEquals(0, RedisCommands.bulkStrings(null).count());
        // more arguments than the first guess of room
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            many.append("$1\r\n").append((char) ('a' + i % 26)).append("\r\n");
        }
        assertEquals(40, RedisCommands.bulkStrings(java.nio.ByteBuffer.wrap(
            many.toString().getBytes(StandardCharsets.UTF_8))).count());
    }

    @Test
    void errorPrefixes() {
        assertEquals("WRONGTYPE", RedisCommands.errorPrefix("WRONGTYPE Operation against a key holding the wrong kind"));
        assertEquals("ERR", RedisCommands.errorPrefix("ERR syntax error"));
        assertEquals("NOAUTH", RedisCommands.errorPrefix("NOAUTH"));
        assertNull(RedisCommands.errorPrefix("Could not get a resource from the pool"));
        assertNull(RedisCommands.errorPrefix("E"));
        assertNull(RedisCommands.errorPrefix(null));
    }
}

package dev.plume.smoke.data;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import redis.clients.jedis.JedisPooled;

import java.time.Duration;
import java.util.List;

/**
 * {@code GET /owners/{id}}: the owner's name from the cache (Spring Data Redis), else from PostgreSQL (a prepared
 * query through HikariCP), then cached with a TTL; a visit counter in Redis through Jedis. {@code GET /owners/reset}
 * (re)creates the table with two owners.
 */
@RestController
public class OwnerController {
    /** Stored in the database and the cache; must never reach a trace backend. */
    static final String SECRET_NAME = "Secret-Owner-4711";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OwnerController.class);

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate cache;
    private final JedisPooled jedis;

    OwnerController(JdbcTemplate jdbc, StringRedisTemplate cache, JedisPooled jedis) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.jedis = jedis;
    }

    /** What application code reading SLF4J's MDC directly sees. */
    @GetMapping("/mdc")
    public String mdc() {
        java.util.Map<String, String> copy = org.slf4j.MDC.getCopyOfContextMap();
        return org.slf4j.MDC.get("trace_id") + " " + org.slf4j.MDC.get("span_id") + " " + org.slf4j.MDC.get("trace_flags")
            + " " + (copy == null ? null : copy.get("span_id"));
    }

    @GetMapping("/owners/reset")
    public String reset() {
        jdbc.execute("CREATE TABLE IF NOT EXISTS plume_data_owners (id INT PRIMARY KEY, name VARCHAR(64))");
        jdbc.update("DELETE FROM plume_data_owners");
        jdbc.update("INSERT INTO plume_data_owners (id, name) VALUES (?, ?)", 1, SECRET_NAME);
        jdbc.update("INSERT INTO plume_data_owners (id, name) VALUES (?, ?)", 2, "Second Owner");
        cache.delete(List.of("owner:1", "owner:2"));
        return "reset";
    }

    @GetMapping("/owners/{id}")
    public String owner(@PathVariable("id") int id) {
        String key = "owner:" + id;
        String name = cache.opsForValue().get(key);
        String source = "cache";
        if (name == null) {
            source = "database";
            name = jdbc.queryForObject("SELECT name FROM plume_data_owners WHERE id = ?", String.class, id);
            cache.opsForValue().set(key, name, Duration.ofMinutes(5));
        }
        long visits = jedis.incr("visits:" + id);
        LOG.info("owner {} read from the {}", id, source);
        return (SECRET_NAME.equals(name) ? "owner-1" : name) + " from " + source + " visit " + (visits > 0 ? "counted" : "lost");
    }
}

package dev.plume.smoke.data;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import redis.clients.jedis.JedisPooled;

/**
 * A Spring Boot 3 service as they are commonly written: Spring MVC on embedded Tomcat, a HikariCP pool over
 * PostgreSQL used through {@code JdbcTemplate}, Spring Data Redis (on Lettuce, Spring Boot's default) through
 * {@code StringRedisTemplate}, and a {@code JedisPooled} for a counter. Prints {@code LISTENING <port>} when ready.
 */
@SpringBootApplication
public class DataApp {
    public static void main(String[] args) {
        SpringApplication.run(DataApp.class, args);
    }

    @Bean(destroyMethod = "close")
    JedisPooled jedis() {
        return new JedisPooled("127.0.0.1", 6379);
    }

    @Bean
    ApplicationListener<WebServerInitializedEvent> announcePort() {
        return event -> {
            org.slf4j.LoggerFactory.getLogger(DataApp.class).info("ready on port {}", event.getWebServer().getPort());
            System.out.println("LISTENING " + event.getWebServer().getPort());
            System.out.flush();
        };
    }
}

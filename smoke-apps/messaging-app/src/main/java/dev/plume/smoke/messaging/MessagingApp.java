package dev.plume.smoke.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A producer or a consumer of RabbitMQ and Kafka messages, one process each ({@code app.mode}).
 *
 * <p>Producer: a JDK HTTP server. {@code GET /rabbitmq/publish} publishes three messages: to queue {@code <prefix>.deliver}
 * through the default exchange (with an application header of its own), to exchange {@code <prefix>.exchange} with
 * routing key {@code <prefix>.callback}, and to queue {@code <prefix>.get}. {@code GET /kafka/send} sends two records to
 * topic {@code <prefix>.orders}, one with key {@code order-1} and a callback (answered once it ran), one with neither.
 * {@code GET /ack?m=...} answers {@code ok}: the consumer calls it while it processes each message.
 *
 * <p>Consumer: a {@code DefaultConsumer} on {@code <prefix>.deliver}, a {@code DeliverCallback} on
 * {@code <prefix>.callback}, a {@code basicGet} loop on {@code <prefix>.get}, and a Kafka consumer in group
 * {@code <prefix>.group} iterating each poll's records; each message is acknowledged to the producer over HTTP (not
 * for {@code basicGet}, whose processing nothing traces) and printed as {@code CONSUMED <system> <how> <body>}.
 *
 * <p>System properties: {@code app.mode} ({@code producer}, {@code consumer}), {@code app.systems}
 * ({@code rabbitmq,kafka}), {@code app.prefix}, {@code app.rabbitmq.port} (5672), {@code app.kafka.bootstrap},
 * {@code app.kafka.iterate} ({@code all}: the poll's records; {@code partitions}: {@code records(TopicPartition)} of
 * each; {@code topic}: {@code records(topic)}), {@code app.ack.port} (the producer's, for a consumer).
 */
public final class MessagingApp {
    private static final String PREFIX = System.getProperty("app.prefix", "plume");
    private static final List<String> SYSTEMS = List.of(System.getProperty("app.systems", "rabbitmq,kafka").split(","));
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Channel channel;
    /** How the Kafka consumer takes each poll's records: {@code all} {@code partitions}, {@code topic}. */
    private static final String ITERATE = System.getProperty("app.kafka.iterate", "all");
    private static KafkaProducer<String, String> producer;

    private MessagingApp() {
    }

    public static void main(String[] args) throws Exception {
        if (SYSTEMS.contains("rabbitmq")) {
            channel = rabbitChannel();
        }
        if ("consumer".equals(System.getProperty("app.mode"))) {
            consume();
        } else {
            produce();
        }
        System.out.flush();
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // only the end of the stream matters
                }
            } catch (IOException e) {
                // the parent is gone
            }
            System.exit(0);
        }, "messaging-app-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Channel rabbitChannel() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(Integer.getInteger("app.rabbitmq.port", 5672));
        factory.setUsername("guest");
        factory.setPassword("guest");
        Connection connection = factory.newConnection();
        Channel opened = connection.createChannel();
        // the queues go away a minute after the test, whoever declared them
        Map<String, Object> expiring = Map.of("x-expires", 60_000);
        for (String queue : List.of(".deliver", ".callback", ".get")) {
            opened.queueDeclare(PREFIX + queue, false, false, false, expiring);
        }
        opened.exchangeDeclare(PREFIX + ".exchange", "direct", false, true, null);
        opened.queueBind(PREFIX + ".callback", PREFIX + ".exchange", PREFIX + ".callback");
        return opened;
    }

    private static void produce() throws IOException {
        if (SYSTEMS.contains("kafka")) {
            Properties props = new Properties();
            props.put("bootstrap.servers", System.getProperty("app.kafka.bootstrap"));
            props.put("client.id", PREFIX + "-producer");
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/rabbitmq/publish", exchange -> respond(exchange, MessagingApp::publish));
        server.createContext("/kafka/send", exchange -> respond(exchange, MessagingApp::send));
        server.createContext("/ack", exchange -> respond(exchange, () -> "ok"));
        server.start();
        System.out.println("LISTENING " + server.getAddress().getPort());
    }

    private static String publish() throws IOException {
        Map<String, Object> headers = new HashMap<>();
        headers.put("app-header", "kept");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("text/plain").headers(headers)
            .build();
        channel.basicPublish("", PREFIX + ".deliver", props, "to-consumer".getBytes(StandardCharsets.UTF_8));
        channel.basicPublish(PREFIX + ".exchange", PREFIX + ".callback", null,
            "to-callback".getBytes(StandardCharsets.UTF_8));
        channel.basicPublish("", PREFIX + ".get", null, "to-get".getBytes(StandardCharsets.UTF_8));
        return "published 3";
    }

    private static String send() throws Exception {
        CompletableFuture<String> acknowledged = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(PREFIX + ".orders", "order-1", "first-order"), (metadata, error) -> {
            if (error != null) {
                acknowledged.completeExceptionally(error);
            } else {
                acknowledged.complete("offset " + metadata.offset());
            }
        });
        producer.send(new ProducerRecord<>(PREFIX + ".orders", "second-order"));
        producer.flush();
        return "sent 2, " + acknowledged.get(30, TimeUnit.SECONDS);
    }

    private static void consume() throws Exception {
        if (channel != null) {
            channel.basicConsume(PREFIX + ".deliver", true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) throws IOException {
                    String text = new String(body, StandardCharsets.UTF_8);
                    ack(text);
                    System.out.println("CONSUMED rabbitmq deliver " + text + " header="
                        + properties.getHeaders().get("app-header"));
                }
            });
            Channel callbacks = channel.getConnection().createChannel();
            callbacks.basicConsume(PREFIX + ".callback", true, (consumerTag, delivery) -> {
                String text = new String(delivery.getBody(), StandardCharsets.UTF_8);
                ack(text);
                System.out.println("CONSUMED rabbitmq callback " + text);
            }, consumerTag -> { });
            Channel gets = channel.getConnection().createChannel();
            Thread getter = new Thread(() -> {
                try {
                    while (true) {
                        GetResponse response = gets.basicGet(PREFIX + ".get", true);
                        if (response != null) {
                            System.out.println("CONSUMED rabbitmq get "
                                + new String(response.getBody(), StandardCharsets.UTF_8));
                        } else {
                            Thread.sleep(100);
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "rabbitmq-getter");
            getter.setDaemon(true);
            getter.start();
        }
        if (SYSTEMS.contains("kafka")) {
            // not a daemon: with Kafka alone, it is what keeps the consumer running
            new Thread(MessagingApp::pollKafka, "kafka-poller").start();
        }
        System.out.println("CONSUMING");
    }

    private static void pollKafka() {
        Properties props = new Properties();
        props.put("bootstrap.servers", System.getProperty("app.kafka.bootstrap"));
        props.put("group.id", PREFIX + ".group");
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
            new StringDeserializer())) {
            consumer.subscribe(List.of(PREFIX + ".orders"));
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                switch (ITERATE) {
                    case "partitions" -> {
                        for (org.apache.kafka.common.TopicPartition partition : records.partitions()) {
                            for (ConsumerRecord<String, String> record : records.records(partition)) {
                                consumed(record);
                            }
                        }
                    }
                    case "topic" -> {
                        for (ConsumerRecord<String, String> record : records.records(PREFIX + ".orders")) {
                            consumed(record);
                        }
                    }
                    default -> {
                        for (ConsumerRecord<String, String> record : records) {
                            consumed(record);
                        }
                    }
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    private static void consumed(ConsumerRecord<String, String> record) {
        ack(record.value());
        System.out.println("CONSUMED kafka " + record.value() + " key=" + record.key());
    }

    /** Tells the producer the message was processed: an HTTP call inside the message's processing span. */
    private static void ack(String message) {
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Integer.getInteger("app.ack.port")
                + "/ack?m=" + URLEncoder.encode(message, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            System.out.println("ACK FAILED " + e);
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
}

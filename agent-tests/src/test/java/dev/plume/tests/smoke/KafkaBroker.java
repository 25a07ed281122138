package dev.plume.tests.smoke;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker for the tests, in KRaft mode (broker and controller in one JVM of its own), from the
 * artifacts smoke-apps/kafka-broker resolved from Maven Central; its data in a temporary directory, deleted on close.
 */
final class KafkaBroker implements AutoCloseable {
    private final Process process;
    private final Path directory;
    private final int port;

    private KafkaBroker(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** Starts a broker and waits until it accepts connections; throws, saying why, when it cannot. */
    static KafkaBroker start() throws Exception {
        String property = System.getProperty("plume.kafka.broker.classpath");
        if (property == null || !Files.isRegularFile(Path.of(property))) {
            throw new IllegalStateException("no broker class path (build smoke-apps/kafka-broker): " + property);
        }
        String classpath = Files.readString(Path.of(property)).trim();
        Path directory = Files.createTempDirectory("plume-kafka");
        int port = freePort();
        int controllerPort = freePort();
        Path config = directory.resolve("server.properties");
        Files.writeString(config, String.join("\n",
            "process.roles=broker,controller", "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port, "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT", "log.dirs=" + directory.resolve("data"),
            "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0", "num.partitions=1", "auto.create.topics.enable=true") + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        Process format = new ProcessBuilder(java, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t",
            Base64.getUrlEncoder().withoutPadding().encodeToString(id), "-c", config.toString())
            .redirectErrorStream(true).redirectOutput(directory.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the broker's storage failed: "
                + Files.readString(directory.resolve("format.log")));
        }
        Process broker = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath,
            "kafka.Kafka", config.toString())).redirectErrorStream(true)
            .redirectOutput(directory.resolve("broker.log").toFile()).start();
        KafkaBroker started = new KafkaBroker(broker, directory, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!LocalServers.listening(port)) {
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(directory.resolve("broker.log"));
                started.close();
                throw new IllegalStateException("the broker did not start: " + log.substring(
                    Math.max(0, log.length() - 2000)));
            }
            Thread.sleep(200);
        }
        return started;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}

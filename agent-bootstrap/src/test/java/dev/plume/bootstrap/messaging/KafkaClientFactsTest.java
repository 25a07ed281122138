package dev.plume.bootstrap.messaging;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a Kafka client's configuration gives its spans: the first bootstrap server as server.address and port. */
class KafkaClientFactsTest {
    @Test
    void theFirstBootstrapServerIsTheServer() {
        KafkaSpans.Client client = new KafkaSpans.Client("id", "group", " broker-1.example.com:9093 ");
        assertEquals("broker-1.example.com", client.serverAddress);
        assertEquals(9093L, client.serverPort);
        KafkaSpans.Client ipv6 = new KafkaSpans.Client("id", null, "[::1]:9092");
        assertEquals("::1", ipv6.serverAddress);
        assertEquals(9092L, ipv6.serverPort);
    }

    @Test
    void aServerThatIsNotHostAndPortGivesNone() {
        for (String server : new String[] {null, "", "broker", "broker:", ":9092", "broker:port"}) {
            KafkaSpans.Client client = new KafkaSpans.Client("id", null, server);
            assertNull(client.serverAddress, server);
            assertEquals(-1L, client.serverPort, server);
        }
    }
}

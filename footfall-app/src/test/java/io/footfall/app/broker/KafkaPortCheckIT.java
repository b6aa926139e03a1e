package io.footfall.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.footfall.app.testing.TestBroker;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bootstrap server that is another service's port is refused in a line before any Kafka client reads its answer
 * (which it would take for the length of a response, and die allocating it); a broker, or nothing at all, passes.
 */
class KafkaPortCheckIT {

    @TempDir
    Path dir;

    @Test
    void aBrokerPassesAndAnotherServiceIsNamed() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, 1)) {
            String[] hostPort = broker.bootstrapServers().split(":");
            assertNull(KafkaPortCheck.ask(hostPort[0], Integer.parseInt(hostPort[1])), "a broker answers as one");
        }
        try (ServerSocket http = new ServerSocket(0)) {
            Thread answering = new Thread(() -> {
                try (Socket s = http.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[64]);
                    out.write("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    // the check has its answer or gave up
                }
            });
            answering.start();
            String servers = "127.0.0.1:" + http.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KafkaPortCheck.check(servers, null));
            assertEquals(servers + " (kafka.bootstrapServers) answered, but not as a Kafka broker does (its first bytes are"
                    + " 'HTTP/1.1'): is it another service's port? Kafka's is usually 9092", e.getMessage());
            answering.join(5_000);
        }
        // PostgreSQL's port (the tests' server): it answers with an error message, 'E' and its length.
        String postgres = KafkaPortCheck.ask("127.0.0.1", 5432);
        assertTrue(postgres != null && postgres.startsWith("its first bytes are 'E\\x00"), postgres);
        // Nobody listening: left to the clients' own wait, which says it waits.
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        assertNull(KafkaPortCheck.ask("127.0.0.1", free));
        // The roles' start: the same line, at once, instead of a wait and an out-of-memory error.
        try (ServerSocket http = new ServerSocket(0)) {
            Thread answering = new Thread(() -> {
                try (Socket s = http.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(new byte[64]);
                } catch (Exception e) {
                    // done
                }
            });
            answering.start();
            io.footfall.core.config.KafkaConfig kafka = TestBroker.baseConfig(dir, java.util.Map.of()).kafka()
                    .withBootstrapServers("127.0.0.1:" + http.getLocalPort());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Topics.ensure(kafka, Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("not as a Kafka broker does"), e.getMessage());
        }
    }
}

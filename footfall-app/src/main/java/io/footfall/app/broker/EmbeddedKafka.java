package io.footfall.app.broker;

import io.footfall.core.config.KafkaConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import kafka.server.KafkaConfig$;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker inside this JVM, bound to 127.0.0.1 only, for {@code footfall standalone} and
 * {@code footfall broker}.
 *
 * <p>The controller quorum is static ({@code controller.quorum.voters}) rather than bootstrapped, so the
 * controller port may differ between restarts of the same data directory: it is always a free port.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration HANGING_CHECK_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The log directories of this process's running brokers. Probing their {@code .lock} files from here would
     * release the running broker's own lock: a process's file locks are per file, and closing any channel on
     * the file drops them.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final KafkaRaftServer server;
    private final int port;
    private final Path logDir;

    private EmbeddedKafka(KafkaRaftServer server, int port, Path logDir) {
        this.server = server;
        this.port = port;
        this.logDir = logDir;
    }

    /**
     * Formats the log directory on first use and starts the broker.
     *
     * @param port client port; 0 picks a free one
     * @throws IllegalStateException with a one-line reason when the broker cannot start
     */
    public static EmbeddedKafka start(Path logDir, int port, KafkaConfig topics) {
        return start(logDir, port, topics, true);
    }

    /**
     * @param repairHangingTransactions end the transactions an unclean stop left open for good
     *                                  ({@link HangingTransactions}) before returning. Only where every client
     *                                  of this broker stopped with it (the standalone, a replay): a client that
     *                                  outlived a broker restart may still be writing into such a transaction.
     */
    public static EmbeddedKafka start(Path logDir, int port, KafkaConfig topics, boolean repairHangingTransactions) {
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePortOtherThan(clientPort);
        Properties props = properties(logDir, clientPort, controllerPort, topics);
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("Kafka data directory " + logDir + " cannot be created: " + e.getMessage());
        }
        Path held = logDir.toAbsolutePath().normalize();
        if (!HELD.add(held)) {
            throw new IllegalStateException("Kafka data directory " + logDir + " is in use by a broker of this process");
        }
        try {
            return startHeld(logDir, held, port, clientPort, props, repairHangingTransactions);
        } catch (RuntimeException e) {
            HELD.remove(held);
            throw e;
        }
    }

    private static EmbeddedKafka startHeld(Path logDir, Path held, int port, int clientPort, Properties props,
                                           boolean repairHangingTransactions) {
        checkNotInUse(logDir);
        LocalPorts.requireFree("Kafka port", "127.0.0.1", port);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir, props);
        }
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(KafkaConfig$.MODULE$.fromProps(props, false), Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            throw new IllegalStateException("embedded Kafka broker did not start on 127.0.0.1:" + clientPort + ": "
                    + e.getMessage());
        }
        EmbeddedKafka broker = new EmbeddedKafka(server, clientPort, held);
        if (repairHangingTransactions) {
            broker.repairHangingTransactions();
        }
        return broker;
    }

    /**
     * Refuses a log directory another process's broker holds (a running standalone, {@code footfall broker} or
     * replay): Kafka would find out only after it had rewritten the directory's metadata log under the running
     * broker. Kafka holds an OS lock on the {@code .lock} file of each of its log directories; taking it for a
     * moment tells whether anyone else does.
     */
    private static void checkNotInUse(Path logDir) {
        Path lockFile = logDir.resolve(".lock");
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("Kafka data directory " + logDir + " is in use by another process"
                        + " (a running standalone or footfall broker on the same data dir)");
            }
            lock.release();
        } catch (IOException e) {
            throw new IllegalStateException("Kafka data directory " + logDir + " cannot be locked: " + e.getMessage());
        }
    }

    /**
     * Before any client connects: a restart after {@code kill -9} can leave a transaction open on its
     * partitions for good ({@link HangingTransactions} says how), which would stall the enricher and the loader.
     * A failed check is logged and start-up goes on: it only repairs that rare case.
     */
    private void repairHangingTransactions() {
        try {
            int repaired = HangingTransactions.repairAll(bootstrapServers(), HANGING_CHECK_TIMEOUT);
            if (repaired > 0) {
                LOG.warn("event=hanging_transactions_ended partitions={} reason=\"left open by an unclean stop\"", repaired);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=hanging_transaction_check_failed error=\"{}\"", e.getMessage());
        }
    }

    static Properties properties(Path logDir, int clientPort, int controllerPort, KafkaConfig topics) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", Integer.toString(topics.partitions()));
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "6");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "6");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        return p;
    }

    private static void format(Path logDir, Properties props) {
        Path configFile = logDir.resolve("format.properties");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            try (var out = Files.newOutputStream(configFile)) {
                props.store(out, "footfall embedded broker, used once to format the log directory");
            }
            // Transactions version 1, the version every crash and outage suite has run on. (It was chosen when a
            // restart after kill -9 now and then left a transactional offset commit pending for good; the cause
            // turned out to be version-independent and is repaired by abortHangingTransactions.)
            int code = kafka.tools.StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(),
                    "-c", configFile.toString(), "--feature", "transaction.version=1"},
                    new PrintStream(captured, true, StandardCharsets.UTF_8));
            if (code != 0) {
                throw new IllegalStateException("Kafka storage format failed: " + captured.toString(StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Kafka data directory " + logDir + " is not writable: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalStateException("Kafka storage format failed in " + logDir + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(configFile);
            } catch (IOException ignored) {
                // a leftover format file is harmless
            }
        }
    }

    /**
     * A free port that is not {@code taken}: a port just probed free and closed may be handed out again at once,
     * and two listeners on one port stop the broker from starting.
     */
    static int freePortOtherThan(int taken) {
        for (int attempt = 0; attempt < 16; attempt++) {
            int port = freePort();
            if (port != taken) {
                return port;
            }
        }
        throw new IllegalStateException("no free local port other than " + taken);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port: " + e.getMessage());
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            HELD.remove(logDir);
        }
    }
}

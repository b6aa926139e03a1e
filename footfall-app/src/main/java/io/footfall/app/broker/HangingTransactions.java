package io.footfall.app.broker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds transactions left open on a partition after their coordinator has finished with them ("hanging"
 * transactions, the state Kafka's {@code kafka-transactions.sh find-hanging} looks for) and ends them the way
 * their coordinator decided.
 *
 * <p>Why the embedded broker needs this: after {@code kill -9} the single-node broker restarts while the
 * controller still holds its previous registration, so for the broker's session timeout (~9 s) it runs on
 * stale leadership. A transaction the killed enricher was committing is reloaded as {@code PREPARE_COMMIT}
 * and its coordinator starts sending the commit markers, but nothing can receive them yet: the broker
 * accepts connections only once it is registered again. When the controller then fences the stale
 * registration every partition is briefly without a leader, the marker sender drops the markers as if the
 * partitions had been deleted, and the coordinator records the transaction as committed. The partitions keep
 * an open transaction for good: the loader cannot read past it ({@code read_committed}) and the enricher's
 * committed input offsets stay "unstable", so the restarted enricher waited in {@code REBALANCING} forever
 * (seen in the crash suite about once in fifteen restarts, more often on a slow machine).
 *
 * <p>The repair writes the markers the coordinator meant to write: commit for a transaction it recorded as
 * committed, abort for one it recorded as aborted. A producer the coordinator has since re-initialised
 * ({@code EMPTY}: a pre-repair restart got that far) no longer tells which; such a transaction is aborted
 * only when its offsets partition is open too, so its input offsets were not committed either and the
 * enricher processes that input again. It runs only where every client died with the broker (the standalone):
 * a client that survived a broker restart may still be writing to the same open transaction.
 */
final class HangingTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
    private static final long SETTLE_POLL_MS = 500;
    private static final long SETTLE_MAX_MS = 10_000;

    /** An open transaction on one partition, as the partition's leader reports it. */
    record OpenTransaction(TopicPartition partition, ProducerState producer) {

        long startOffset() {
            return producer.currentTransactionStartOffset().orElseThrow();
        }
    }

    /** One transaction's markers to write: its open partitions and the outcome its coordinator decided. */
    record Repair(long producerId, short producerEpoch, int coordinatorEpoch, TransactionResult result,
                  List<OpenTransaction> partitions) {
    }

    private HangingTransactions() {
    }

    /**
     * Ends every hanging transaction on the single-node broker at {@code bootstrapServers} ({@code host:port});
     * failures are logged.
     *
     * @return how many partitions got their marker
     * @throws IllegalStateException when the broker does not answer within {@code timeout}
     */
    static int repairAll(String bootstrapServers, Duration timeout) {
        int colon = bootstrapServers.lastIndexOf(':');
        String host = bootstrapServers.substring(0, colon);
        int port = Integer.parseInt(bootstrapServers.substring(colon + 1));
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Admin admin = Admin.create(props);
        try {
            List<OpenTransaction> open = openTransactions(admin, allPartitions(admin, deadline), deadline);
            if (open.isEmpty()) {
                return 0;
            }
            List<Repair> repairs = plan(open, settledCoordinatorViews(admin, open, deadline));
            // Asked again so that a transaction which ended between the two questions is left alone.
            List<OpenTransaction> stillOpen = openTransactions(admin,
                    repairs.stream().flatMap(r -> r.partitions().stream()).map(OpenTransaction::partition).toList(), deadline);
            int repaired = 0;
            for (Repair repair : repairs) {
                repaired += write(host, port, repair, stillOpen, remaining(deadline));
            }
            return repaired;
        } catch (ExecutionException e) {
            throw new IllegalStateException("open transactions could not be checked: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new IllegalStateException("open transactions could not be checked within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking open transactions");
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The markers to write, one {@link Repair} per producer and epoch. Only a transaction its coordinator
     * reports finished ({@code COMPLETE_*} or {@code EMPTY}, at this producer epoch or a later one) is
     * touched. Left alone: one in progress (while the coordinator aborts a timed-out transaction it bumps the
     * epoch in place and still reports it {@code ONGOING}), one whose markers are on their way
     * ({@code PREPARE_*}), one whose coordinator view is unknown (right after a start the coordinator may not
     * have loaded its state yet: "not listed" must not read as "finished"), and an {@code EMPTY} one without
     * its offsets partition among the open ones (its outcome is forgotten and its input offsets may be
     * committed: aborting its output could lose events; it is logged instead).
     *
     * @param coordinatorViews the coordinator's description of each producer id's transactional id, where the
     *                         coordinator knows one
     */
    static List<Repair> plan(List<OpenTransaction> open, Map<Long, TransactionDescription> coordinatorViews) {
        Map<List<Long>, List<OpenTransaction>> byTransaction = new LinkedHashMap<>();
        for (OpenTransaction transaction : open) {
            TransactionDescription view = coordinatorViews.get(transaction.producer().producerId());
            if (view != null && isFinished(view.state()) && view.producerEpoch() >= transaction.producer().producerEpoch()) {
                byTransaction.computeIfAbsent(List.of(transaction.producer().producerId(),
                        (long) transaction.producer().producerEpoch()), k -> new ArrayList<>()).add(transaction);
            }
        }
        List<Repair> repairs = new ArrayList<>();
        byTransaction.forEach((key, partitions) -> {
            TransactionState state = coordinatorViews.get(key.get(0)).state();
            TransactionResult result = state == TransactionState.COMPLETE_COMMIT ? TransactionResult.COMMIT
                    : state == TransactionState.COMPLETE_ABORT || holdsOffsets(partitions) ? TransactionResult.ABORT
                    : null;
            if (result == null) {
                LOG.error("event=hanging_transaction_left producer_id={} partitions={} reason=\"its coordinator no longer "
                        + "knows whether it committed and its input offsets may be committed; end it with "
                        + "kafka-transactions.sh\"", key.get(0), partitions.stream().map(o -> o.partition().toString()).toList());
                return;
            }
            int coordinatorEpoch = partitions.stream().mapToInt(o -> o.producer().coordinatorEpoch().orElse(0)).max().orElse(0);
            repairs.add(new Repair(key.get(0), (short) (long) key.get(1), coordinatorEpoch, result, partitions));
        });
        return repairs;
    }

    private static boolean isFinished(TransactionState state) {
        return state == TransactionState.COMPLETE_COMMIT || state == TransactionState.COMPLETE_ABORT
                || state == TransactionState.EMPTY;
    }

    private static boolean holdsOffsets(List<OpenTransaction> partitions) {
        return partitions.stream().anyMatch(o -> o.partition().topic().equals(Topic.GROUP_METADATA_TOPIC_NAME));
    }

    /** Writes one transaction's markers to those of its partitions still open as planned; logs each outcome. */
    private static int write(String host, int port, Repair repair, List<OpenTransaction> stillOpen, Duration timeout) {
        List<TopicPartition> partitions = repair.partitions().stream()
                .filter(planned -> stillOpen.stream().anyMatch(o -> sameTransaction(o, planned)))
                .map(OpenTransaction::partition).toList();
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Errors> errors;
        try {
            errors = TxnMarkerWriter.write(host, port, repair.producerId(), repair.producerEpoch(), repair.coordinatorEpoch(),
                    repair.result(), partitions, timeout);
        } catch (IOException | RuntimeException e) {
            LOG.error("event=hanging_transaction_repair_failed producer_id={} partitions={} error=\"{}\"", repair.producerId(),
                    partitions, e.toString());
            return 0;
        }
        int written = 0;
        for (TopicPartition tp : partitions) {
            Errors error = errors.getOrDefault(tp, Errors.UNKNOWN_SERVER_ERROR);
            if (error == Errors.NONE) {
                written++;
                LOG.warn("event=hanging_transaction_ended topic={} partition={} producer_id={} producer_epoch={} result={}",
                        tp.topic(), tp.partition(), repair.producerId(), repair.producerEpoch(), repair.result());
            } else {
                LOG.error("event=hanging_transaction_repair_failed topic={} partition={} producer_id={} error={}", tp.topic(),
                        tp.partition(), repair.producerId(), error);
            }
        }
        return written;
    }

    private static boolean sameTransaction(OpenTransaction a, OpenTransaction b) {
        return a.partition().equals(b.partition()) && a.producer().producerId() == b.producer().producerId()
                && a.producer().producerEpoch() == b.producer().producerEpoch() && a.startOffset() == b.startOffset();
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime()));
    }

    private static long remainingMs(long deadline) {
        return remaining(deadline).toMillis();
    }

    private static List<TopicPartition> allPartitions(Admin admin, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription topic : described.values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                partitions.add(new TopicPartition(topic.name(), partition.partition()));
            }
        }
        return partitions;
    }

    private static List<OpenTransaction> openTransactions(Admin admin, List<TopicPartition> partitions, long deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<OpenTransaction> open = new ArrayList<>();
        if (partitions.isEmpty()) {
            return open;
        }
        var states = admin.describeProducers(partitions).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        states.forEach((partition, state) -> {
            for (ProducerState producer : state.activeProducers()) {
                if (producer.currentTransactionStartOffset().isPresent()) {
                    open.add(new OpenTransaction(partition, producer));
                }
            }
        });
        return open;
    }

    /**
     * The coordinator's views, asked again (every {@value #SETTLE_POLL_MS} ms, for up to
     * {@value #SETTLE_MAX_MS} ms) while it does not know the producer of an open transaction or still sends
     * its markers: its state partitions load after the broker starts, in well under a second here.
     */
    private static Map<Long, TransactionDescription> settledCoordinatorViews(Admin admin, List<OpenTransaction> open,
            long deadline) throws ExecutionException, InterruptedException, TimeoutException {
        long settleBy = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MAX_MS));
        Map<Long, TransactionDescription> views = coordinatorViews(admin, open, deadline);
        while (!settled(views, open) && System.nanoTime() < settleBy) {
            Thread.sleep(SETTLE_POLL_MS);
            views = coordinatorViews(admin, open, deadline);
        }
        for (OpenTransaction o : open) {
            if (!views.containsKey(o.producer().producerId())) {
                LOG.info("event=open_transaction_left_alone topic={} partition={} producer_id={} reason=\"its coordinator "
                        + "does not know its producer\"", o.partition().topic(), o.partition().partition(), o.producer().producerId());
            }
        }
        return views;
    }

    private static boolean settled(Map<Long, TransactionDescription> views, List<OpenTransaction> open) {
        return open.stream().allMatch(o -> {
            TransactionDescription view = views.get(o.producer().producerId());
            return view != null && view.state() != TransactionState.PREPARE_COMMIT
                    && view.state() != TransactionState.PREPARE_ABORT && view.state() != TransactionState.PREPARE_EPOCH_FENCE;
        });
    }

    private static Map<Long, TransactionDescription> coordinatorViews(Admin admin, List<OpenTransaction> open,
            long deadline) throws ExecutionException, InterruptedException, TimeoutException {
        Set<Long> producerIds = new HashSet<>();
        open.forEach(o -> producerIds.add(o.producer().producerId()));
        var listings = admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds)).all()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        Map<Long, TransactionDescription> views = new HashMap<>();
        if (listings.isEmpty()) {
            return views;
        }
        List<String> ids = listings.stream().map(TransactionListing::transactionalId).toList();
        admin.describeTransactions(ids).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                .values().forEach(view -> views.put(view.producerId(), view));
        return views;
    }
}

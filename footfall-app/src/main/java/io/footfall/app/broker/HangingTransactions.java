package io.footfall.app.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts transactions left open on a partition after their coordinator has finished with them
 * ("hanging" transactions, the state Kafka's {@code kafka-transactions.sh find-hanging} looks for).
 *
 * <p>Why the embedded broker needs this: after {@code kill -9} the single-node broker restarts while the
 * controller still holds its previous registration, so for the broker's session timeout (~9 s) it runs on
 * stale leadership. A transaction the killed enricher was committing is reloaded as {@code PREPARE_COMMIT}
 * and its coordinator starts sending the commit markers, but nothing can receive them yet: the broker
 * accepts connections only once it is registered again. When the controller then fences the stale
 * registration every partition is briefly without a leader, the marker sender drops the markers as if the
 * partitions had been deleted, and the coordinator records the transaction as complete. The partitions keep
 * an open transaction for good: the loader cannot read past it ({@code read_committed}) and the enricher's
 * committed input offsets stay "unstable", so the restarted enricher waited in {@code REBALANCING} forever
 * (seen in the crash suite about once in fifteen restarts, more often on a slow machine).
 *
 * <p>No marker of such a transaction reached any partition (the broker accepted no connection before the
 * markers were dropped), so aborting it on every partition where it is open is consistent: its output,
 * its state-store changes and its input offsets disappear together and the enricher processes the input
 * again.
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

        AbortTransactionSpec abortSpec() {
            return new AbortTransactionSpec(partition, producer.producerId(), (short) producer.producerEpoch(),
                    producer.coordinatorEpoch().orElse(0));
        }
    }

    private HangingTransactions() {
    }

    /**
     * Aborts every hanging transaction on the cluster at {@code bootstrapServers}.
     *
     * @return how many partitions had one
     * @throws IllegalStateException when the cluster does not answer within {@code timeout}
     */
    static int abortAll(String bootstrapServers, Duration timeout) {
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(props)) {
            List<OpenTransaction> open = openTransactions(admin, allPartitions(admin, timeout), timeout);
            if (open.isEmpty()) {
                return 0;
            }
            List<OpenTransaction> hanging = hanging(open, settledCoordinatorViews(admin, open, timeout));
            // Asked again so that a transaction which completed between the two questions is left alone.
            List<OpenTransaction> stillOpen = openTransactions(admin,
                    hanging.stream().map(OpenTransaction::partition).toList(), timeout);
            int aborted = 0;
            for (OpenTransaction transaction : hanging) {
                if (stillOpen.stream().anyMatch(o -> sameTransaction(o, transaction))) {
                    admin.abortTransaction(transaction.abortSpec()).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.warn("event=hanging_transaction_aborted topic={} partition={} producer_id={} producer_epoch={} "
                                    + "start_offset={}", transaction.partition().topic(), transaction.partition().partition(),
                            transaction.producer().producerId(), transaction.producer().producerEpoch(),
                            transaction.startOffset());
                    aborted++;
                }
            }
            return aborted;
        } catch (ExecutionException e) {
            throw new IllegalStateException("open transactions could not be checked at " + bootstrapServers + ": "
                    + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new IllegalStateException("open transactions could not be checked at " + bootstrapServers
                    + " within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking open transactions");
        }
    }

    /**
     * The open transactions whose coordinator says it has finished with them: its state for the producer is
     * complete or empty, at the open transaction's producer epoch or a later one. Everything else is left
     * alone: a transaction in progress (its epoch may already be bumped in place while the coordinator aborts
     * it for its timeout), one whose markers are on their way ({@code PREPARE_*}), and one whose coordinator
     * view is unknown: right after a start the coordinator may not have loaded its state yet, and "not
     * listed" must not read as "finished", or a transaction whose commit markers are about to be written
     * would be aborted on some partitions.
     *
     * @param coordinatorViews the coordinator's description of each producer id's transactional id, where the
     *                         coordinator knows one
     */
    static List<OpenTransaction> hanging(List<OpenTransaction> open, Map<Long, TransactionDescription> coordinatorViews) {
        List<OpenTransaction> hanging = new ArrayList<>();
        for (OpenTransaction transaction : open) {
            TransactionDescription view = coordinatorViews.get(transaction.producer().producerId());
            if (view != null && isFinished(view.state()) && view.producerEpoch() >= transaction.producer().producerEpoch()) {
                hanging.add(transaction);
            }
        }
        return hanging;
    }

    private static boolean isFinished(TransactionState state) {
        return state == TransactionState.COMPLETE_COMMIT || state == TransactionState.COMPLETE_ABORT
                || state == TransactionState.EMPTY;
    }

    private static boolean sameTransaction(OpenTransaction a, OpenTransaction b) {
        return a.partition().equals(b.partition()) && a.producer().producerId() == b.producer().producerId()
                && a.producer().producerEpoch() == b.producer().producerEpoch() && a.startOffset() == b.startOffset();
    }

    private static List<TopicPartition> allPartitions(Admin admin, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription topic : described.values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                partitions.add(new TopicPartition(topic.name(), partition.partition()));
            }
        }
        return partitions;
    }

    private static List<OpenTransaction> openTransactions(Admin admin, List<TopicPartition> partitions, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<OpenTransaction> open = new ArrayList<>();
        if (partitions.isEmpty()) {
            return open;
        }
        var states = admin.describeProducers(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
     * {@value #SETTLE_MAX_MS} ms) while it does not know the producer of an open transaction: its state
     * partitions load after the broker starts, in well under a second here.
     */
    private static Map<Long, TransactionDescription> settledCoordinatorViews(Admin admin, List<OpenTransaction> open,
            Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MAX_MS);
        Map<Long, TransactionDescription> views = coordinatorViews(admin, open, timeout);
        while (!knowsEveryProducer(views, open) && System.nanoTime() < deadline) {
            Thread.sleep(SETTLE_POLL_MS);
            views = coordinatorViews(admin, open, timeout);
        }
        if (!knowsEveryProducer(views, open)) {
            LOG.info("event=open_transactions_left_alone reason=\"their coordinator does not know their producer\"");
        }
        return views;
    }

    private static boolean knowsEveryProducer(Map<Long, TransactionDescription> views, List<OpenTransaction> open) {
        return open.stream().allMatch(o -> views.containsKey(o.producer().producerId()));
    }

    private static Map<Long, TransactionDescription> coordinatorViews(Admin admin, List<OpenTransaction> open,
            Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        Set<Long> producerIds = new HashSet<>();
        open.forEach(o -> producerIds.add(o.producer().producerId()));
        var listings = admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<Long, TransactionDescription> views = new HashMap<>();
        if (listings.isEmpty()) {
            return views;
        }
        List<String> ids = listings.stream().map(TransactionListing::transactionalId).toList();
        admin.describeTransactions(ids).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .values().forEach(view -> views.put(view.producerId(), view));
        return views;
    }
}

package io.footfall.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.broker.HangingTransactions.OpenTransaction;
import io.footfall.app.broker.HangingTransactions.Repair;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HangingTransactionsTest {

    private static final TopicPartition EVENTS = new TopicPartition("footfall.events", 1);
    private static final TopicPartition CHANGELOG = new TopicPartition("footfall-enricher-sessions-changelog", 1);
    private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 2);
    private static final long PRODUCER = 7;
    private static final int EPOCH = 19;

    private static OpenTransaction open(TopicPartition partition, int coordinatorEpoch) {
        return new OpenTransaction(partition,
                new ProducerState(PRODUCER, EPOCH, 42, 1_000L, OptionalInt.of(coordinatorEpoch), OptionalLong.of(866)));
    }

    private static TransactionDescription coordinator(TransactionState state, int epoch, Set<TopicPartition> partitions) {
        return new TransactionDescription(1, state, PRODUCER, epoch, 10_000, OptionalLong.of(900L), partitions);
    }

    private static List<Repair> plan(List<OpenTransaction> open, TransactionDescription view) {
        return HangingTransactions.plan(open, view == null ? Map.of() : Map.of(PRODUCER, view));
    }

    @Test
    void aTransactionRecordedAsCommittedIsCommittedOnEveryPartitionStillOpen() {
        List<OpenTransaction> open = List.of(open(EVENTS, 24), open(CHANGELOG, 22));
        // The marker's coordinator epoch may not be below any partition's last one.
        assertEquals(List.of(new Repair(PRODUCER, (short) EPOCH, 24, TransactionResult.COMMIT, open)),
                plan(open, coordinator(TransactionState.COMPLETE_COMMIT, EPOCH, Set.of())));
    }

    @Test
    void aTransactionRecordedAsAbortedIsAborted() {
        List<OpenTransaction> open = List.of(open(EVENTS, 24));
        assertEquals(List.of(new Repair(PRODUCER, (short) EPOCH, 24, TransactionResult.ABORT, open)),
                plan(open, coordinator(TransactionState.COMPLETE_ABORT, EPOCH, Set.of())));
    }

    @Test
    void aForgottenOutcomeIsAbortedOnlyWhenItsInputOffsetsAreOpenToo() {
        List<OpenTransaction> withOffsets = List.of(open(EVENTS, 24), open(OFFSETS, 24));
        assertEquals(List.of(new Repair(PRODUCER, (short) EPOCH, 24, TransactionResult.ABORT, withOffsets)),
                plan(withOffsets, coordinator(TransactionState.EMPTY, EPOCH + 1, Set.of())));
        // Offsets possibly committed: aborting the output could lose events, so it is left (and logged).
        assertEquals(List.of(), plan(List.of(open(EVENTS, 24)), coordinator(TransactionState.EMPTY, EPOCH + 1, Set.of())));
    }

    @Test
    void aTransactionWhoseProducerTheCoordinatorDoesNotKnowIsLeftAlone() {
        // Right after a start the coordinator may still be loading: "not listed" must not read as "finished".
        assertEquals(List.of(), plan(List.of(open(EVENTS, 24)), null));
    }

    @Test
    void anOngoingTransactionIsLeftAloneWhateverItsEpochAndPartitions() {
        List<OpenTransaction> open = List.of(open(EVENTS, 24));
        assertEquals(List.of(), plan(open, coordinator(TransactionState.ONGOING, EPOCH, Set.of(EVENTS, OFFSETS))));
        // Seen in the crash suite: while the coordinator aborts a timed-out transaction it bumps the epoch in
        // place and still reports ONGOING; the coordinator writes the markers itself.
        assertEquals(List.of(), plan(open, coordinator(TransactionState.ONGOING, EPOCH + 1, Set.of(EVENTS))));
        assertEquals(List.of(), plan(open, coordinator(TransactionState.ONGOING, EPOCH, Set.of(OFFSETS))));
    }

    @Test
    void aFinishedStateOfAnEarlierEpochSaysNothingAboutTheOpenTransaction() {
        assertEquals(List.of(), plan(List.of(open(EVENTS, 24)), coordinator(TransactionState.COMPLETE_COMMIT, EPOCH - 1, Set.of())));
    }

    @ParameterizedTest
    @EnumSource(value = TransactionState.class, names = {"PREPARE_COMMIT", "PREPARE_ABORT", "PREPARE_EPOCH_FENCE", "UNKNOWN"})
    void aTransactionWhoseMarkersAreOnTheirWayOrWhoseStateIsUnknownIsLeftAlone(TransactionState state) {
        assertEquals(List.of(), plan(List.of(open(EVENTS, 24)), coordinator(state, EPOCH, Set.of(EVENTS))));
    }
}

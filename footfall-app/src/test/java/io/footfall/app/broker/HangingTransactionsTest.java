package io.footfall.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.footfall.app.broker.HangingTransactions.OpenTransaction;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HangingTransactionsTest {

    private static final TopicPartition EVENTS = new TopicPartition("footfall.events", 1);
    private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 2);
    private static final long PRODUCER = 7;
    private static final int EPOCH = 19;

    private static OpenTransaction open(TopicPartition partition, int epoch) {
        return new OpenTransaction(partition,
                new ProducerState(PRODUCER, epoch, 42, 1_000L, OptionalInt.of(24), OptionalLong.of(866)));
    }

    private static TransactionDescription coordinator(TransactionState state, int epoch, Set<TopicPartition> partitions) {
        return new TransactionDescription(1, state, PRODUCER, epoch, 10_000, OptionalLong.of(900L), partitions);
    }

    private static List<OpenTransaction> hanging(OpenTransaction open, TransactionDescription view) {
        return HangingTransactions.hanging(List.of(open), view == null ? Map.of() : Map.of(PRODUCER, view));
    }

    @ParameterizedTest
    @EnumSource(value = TransactionState.class, names = {"COMPLETE_COMMIT", "COMPLETE_ABORT", "EMPTY"})
    void aTransactionItsCoordinatorHasFinishedButAPartitionStillHoldsOpenIsHanging(TransactionState state) {
        OpenTransaction open = open(OFFSETS, EPOCH);
        assertEquals(List.of(open), hanging(open, coordinator(state, EPOCH, Set.of())));
    }

    @Test
    void aTransactionWhoseProducerTheCoordinatorDoesNotKnowIsLeftAlone() {
        // Right after a start the coordinator may still be loading: "not listed" must not read as "finished".
        assertEquals(List.of(), hanging(open(EVENTS, EPOCH), null));
    }

    @Test
    void anOngoingTransactionIsLeftAloneWhateverItsEpochAndPartitions() {
        OpenTransaction open = open(EVENTS, EPOCH);
        assertEquals(List.of(), hanging(open, coordinator(TransactionState.ONGOING, EPOCH, Set.of(EVENTS, OFFSETS))));
        // Seen in the crash suite: while the coordinator aborts a timed-out transaction it bumps the epoch in
        // place and still reports ONGOING; the coordinator writes the markers itself.
        assertEquals(List.of(), hanging(open, coordinator(TransactionState.ONGOING, EPOCH + 1, Set.of(EVENTS))));
        assertEquals(List.of(), hanging(open, coordinator(TransactionState.ONGOING, EPOCH, Set.of(OFFSETS))));
    }

    @Test
    void aFinishedStateOfAnEarlierEpochSaysNothingAboutTheOpenTransaction() {
        OpenTransaction open = open(EVENTS, EPOCH);
        assertEquals(List.of(), hanging(open, coordinator(TransactionState.COMPLETE_COMMIT, EPOCH - 1, Set.of())));
        assertEquals(List.of(open), hanging(open, coordinator(TransactionState.EMPTY, EPOCH + 1, Set.of())));
    }

    @ParameterizedTest
    @EnumSource(value = TransactionState.class, names = {"PREPARE_COMMIT", "PREPARE_ABORT", "PREPARE_EPOCH_FENCE", "UNKNOWN"})
    void aTransactionWhoseMarkersAreOnTheirWayOrWhoseStateIsUnknownIsLeftAlone(TransactionState state) {
        OpenTransaction open = open(EVENTS, EPOCH);
        assertEquals(List.of(), hanging(open, coordinator(state, EPOCH, Set.of(EVENTS))));
    }

    @Test
    void theAbortMarkerNamesThePartitionTheProducerEpochAndTheLastCoordinatorEpoch() {
        assertEquals(new AbortTransactionSpec(OFFSETS, PRODUCER, (short) EPOCH, 24), open(OFFSETS, EPOCH).abortSpec());
        OpenTransaction neverMarked = new OpenTransaction(EVENTS,
                new ProducerState(PRODUCER, EPOCH, 0, 1_000L, OptionalInt.empty(), OptionalLong.of(3)));
        assertEquals(0, neverMarked.abortSpec().coordinatorEpoch());
    }
}

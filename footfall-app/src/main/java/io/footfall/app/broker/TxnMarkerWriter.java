package io.footfall.app.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * Writes one transaction's end markers (commit or abort) to partitions of the embedded broker, as its
 * transaction coordinator would have: a single {@code WriteTxnMarkers} request on a plain connection. Kafka's
 * admin API can only abort a hanging transaction; one its coordinator recorded as committed must be committed
 * on the partitions too, or the events it wrote would be lost while its input offsets move on. The broker is
 * single-node and local, so there is no leader to look up and nothing to authenticate.
 */
final class TxnMarkerWriter {

    /** Markers of transactions version 0/1 (this broker's format): no epoch bump with the marker. */
    private static final short TRANSACTION_VERSION = 0;

    private TxnMarkerWriter() {
    }

    /**
     * @return the broker's answer per partition ({@link Errors#NONE} when the marker was written)
     * @throws IOException when the broker cannot be reached or answers nothing within {@code timeout}
     */
    static Map<TopicPartition, Errors> write(String host, int port, long producerId, short producerEpoch,
            int coordinatorEpoch, TransactionResult result, List<TopicPartition> partitions, Duration timeout)
            throws IOException {
        short version = ApiKeys.WRITE_TXN_MARKERS.latestVersion();
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(List.of(new WriteTxnMarkersRequest.TxnMarkerEntry(
                producerId, producerEpoch, coordinatorEpoch, result, partitions, TRANSACTION_VERSION))).build(version);
        RequestHeader header = new RequestHeader(ApiKeys.WRITE_TXN_MARKERS, version, "footfall-txn-repair", 1);
        ByteBuffer serialized = request.serializeWithHeader(header);
        byte[] payload = new byte[serialized.remaining()];
        serialized.get(payload);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            WriteTxnMarkersResponse response = (WriteTxnMarkersResponse) AbstractResponse.parseResponse(
                    ByteBuffer.wrap(answer), header);
            return response.errorsByProducerId().getOrDefault(producerId, Map.of());
        }
    }
}

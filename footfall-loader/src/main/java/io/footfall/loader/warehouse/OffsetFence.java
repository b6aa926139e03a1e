package io.footfall.loader.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The offsets table, read and moved by compare-and-set inside the batch transaction. The same SQL runs on
 * DuckDB and PostgreSQL. A conditional {@code UPDATE ... WHERE next_offset = expected} (or an insert that
 * does nothing when a row exists) changes exactly one row or none: none means another loader committed the
 * partition first, and the whole batch rolls back. On PostgreSQL a concurrent committer holds the row lock,
 * so the loser re-reads the new value and fails the condition; no stale batch can slip between check and set.
 */
final class OffsetFence {

    private OffsetFence() {
    }

    static Map<Integer, Long> read(Connection c, String topic) throws SQLException {
        Map<Integer, Long> offsets = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT \"partition\", next_offset FROM footfall_offsets WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    offsets.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return offsets;
    }

    /**
     * Moves each partition's stored offset from its expected value to its new one.
     *
     * @throws StaleBatchException when a stored offset is not the expected one; the caller rolls back
     */
    static void advance(Connection c, String topic, List<OffsetCommit> commits) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE footfall_offsets SET next_offset = ? "
                + "WHERE topic = ? AND \"partition\" = ? AND next_offset = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO footfall_offsets (topic, \"partition\", "
                     + "next_offset) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (OffsetCommit commit : commits) {
                int changed;
                if (commit.expectedNext() == OffsetCommit.NONE) {
                    insert.setString(1, topic);
                    insert.setInt(2, commit.partition());
                    insert.setLong(3, commit.next());
                    changed = insert.executeUpdate();
                } else {
                    update.setLong(1, commit.next());
                    update.setString(2, topic);
                    update.setInt(3, commit.partition());
                    update.setLong(4, commit.expectedNext());
                    changed = update.executeUpdate();
                }
                if (changed != 1) {
                    throw new StaleBatchException(topic, commit.partition(), commit.expectedNext());
                }
            }
        }
    }
}

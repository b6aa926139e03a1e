package io.footfall.enricher.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB instance of the process together. By default each instance
 * takes its own 50 MB block cache and up to 3 × 16 MB of memtables; the enricher opens one session store,
 * one salt store and two to three window segments per task, so six tasks could hold ~3 GB off-heap. Here
 * they share one 128 MB cache that also accounts for the memtables (Kafka Streams' documented recipe).
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    static final long TOTAL_OFF_HEAP_BYTES = 128L * 1024 * 1024;
    static final long TOTAL_MEMTABLE_BYTES = 48L * 1024 * 1024;
    private static final long MEMTABLE_BYTES = 8L * 1024 * 1024;

    private static final Cache CACHE = new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(TOTAL_MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(MEMTABLE_BYTES);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write-buffer manager are shared by every store of the process: never closed here.
    }
}

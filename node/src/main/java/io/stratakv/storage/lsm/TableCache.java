package io.stratakv.storage.lsm;

import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.sstable.BlockCache;
import io.stratakv.storage.sstable.TableReader;
import io.stratakv.storage.sstable.TableStats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open {@link TableReader}s by file number. A table is opened once (footer, index and filter in
 * memory) and stays open while any live version holds its file.
 */
final class TableCache implements AutoCloseable {

    private final StorageFs fs;
    private final Path dir;
    private final BlockCache blockCache;
    private final TableStats stats;
    private final ConcurrentHashMap<Long, TableReader> open = new ConcurrentHashMap<>();
    /**
     * Block-cache keys are (file id, block offset). Trees may share one cache (a node's memory
     * budget), and their file numbers overlap, so each TableCache gets its own id space: the high
     * 24 bits name the tree, the low 40 the file number (a trillion files per tree).
     */
    private static final java.util.concurrent.atomic.AtomicLong TREES = new java.util.concurrent.atomic.AtomicLong();
    private final long cacheNamespace = (TREES.incrementAndGet() & 0xFF_FFFFL) << 40;

    TableCache(StorageFs fs, Path dir, BlockCache blockCache, TableStats stats) {
        this.fs = fs;
        this.dir = dir;
        this.blockCache = blockCache;
        this.stats = stats;
    }

    static String fileName(long number) {
        return String.format("%06d.sst", number);
    }

    Path path(long number) {
        return dir.resolve(fileName(number));
    }

    TableReader get(FileMeta f) {
        TableReader r = open.get(f.number);
        if (r != null) {
            return r;
        }
        return open.computeIfAbsent(f.number, n -> openTable(f));
    }

    private TableReader openTable(FileMeta f) {
        Path p = path(f.number);
        try {
            return TableReader.open(fs.openRead(p), p.toString(), cacheNamespace | f.number, f.size, blockCache, stats);
        } catch (IOException e) {
            throw StorageException.io("opening table " + p, e);
        }
    }

    /** Closes the table's reader and evicts its blocks; the caller deletes the file. */
    void evict(long number) {
        TableReader r = open.remove(number);
        if (r != null) {
            r.close();
        }
    }

    @Override
    public void close() {
        for (Long n : open.keySet()) {
            evict(n);
        }
    }
}

package io.stratakv.storage.lsm;

import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.sstable.TableOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Merges a {@link Compaction}'s inputs into new tables at the output level and garbage-collects.
 *
 * <p>What may be dropped (LevelDB's rules), with S the oldest live snapshot (or the last sequence):
 * <ul>
 *   <li>a version of a key when a newer version of the same key with sequence ≤ S was already seen:
 *       every reader sees that newer one instead;</li>
 *   <li>a tombstone with sequence ≤ S when no level below the output may hold the key (nothing older
 *       is left for it to hide); the older versions under it then go by the first rule.</li>
 * </ul>
 * Memtables only ever hold data newer than every table, so they cannot hold an older version a
 * tombstone must hide (scylladb #1745 does not apply, and a test pins it). Output files are cut only
 * between user keys, so a key's versions never straddle two files of a level (leveldb #320).
 */
final class CompactionJob {

    private final StorageFs fs;
    private final TableCache tables;
    private final StoreOptions options;
    private final TableOptions tableOptions;
    private final LongSupplier newFileNumber;
    long bytesWritten;
    long entriesDropped;

    CompactionJob(StorageFs fs, TableCache tables, StoreOptions options, TableOptions tableOptions, LongSupplier newFileNumber) {
        this.fs = fs;
        this.tables = tables;
        this.options = options;
        this.tableOptions = tableOptions;
        this.newFileNumber = newFileNumber;
    }

    /** Writes the merged output; returns the edit that swaps inputs for outputs. */
    VersionEdit run(Compaction c, long smallestSnapshot) {
        VersionEdit edit = new VersionEdit();
        for (FileMeta f : c.inputs()) {
            edit.deleteFile(c.level(), f.number);
        }
        for (FileMeta f : c.overlaps()) {
            edit.deleteFile(c.outputLevel(), f.number);
        }
        if (c.isTrivialMove()) {
            edit.addFile(c.outputLevel(), c.inputs().get(0));
            return edit;
        }
        List<InternalIterator> children = new ArrayList<>();
        if (c.level() == 0) {
            for (FileMeta f : c.inputs()) {
                children.add(tables.get(f).iterator(false));
            }
        } else {
            children.add(new LevelIterator(c.inputs(), tables, false));
        }
        children.add(new LevelIterator(c.overlaps(), tables, false));
        List<FileMeta> outputs = new ArrayList<>();
        TableWriter writer = null;
        try (MergingIterator in = new MergingIterator(children)) {
            byte[] currentUserKey = null;
            long lastSeqForKey = Long.MAX_VALUE;
            for (in.seekToFirst(); in.valid(); in.next()) {
                byte[] ik = in.key();
                if (currentUserKey == null || InternalKey.compareUserKey(ik, currentUserKey) != 0) {
                    if (writer != null && writer.estimatedSize() >= options.targetFileBytes()) {
                        outputs.add(writer.finish());
                        writer = null;
                    }
                    currentUserKey = InternalKey.userKey(ik);
                    lastSeqForKey = Long.MAX_VALUE;
                }
                long seq = InternalKey.sequence(ik);
                boolean drop = false;
                if (lastSeqForKey <= smallestSnapshot) {
                    drop = true;
                } else if (InternalKey.type(ik) == InternalKey.TYPE_DELETE && seq <= smallestSnapshot
                        && c.version().isBaseLevelForKey(c.outputLevel(), currentUserKey)) {
                    drop = true;
                }
                lastSeqForKey = seq;
                if (drop) {
                    entriesDropped++;
                    continue;
                }
                if (writer == null) {
                    writer = new TableWriter(fs, tables, newFileNumber.getAsLong(), tableOptions);
                }
                writer.add(ik, in.value());
            }
            if (writer != null) {
                outputs.add(writer.finish());
                writer = null;
            }
        } catch (RuntimeException e) {
            if (writer != null) {
                writer.abandon();
            }
            for (FileMeta f : outputs) {
                try {
                    fs.delete(tables.path(f.number));
                } catch (java.io.IOException ignored) {
                    // orphans are removed at the next open
                }
            }
            throw e;
        }
        for (FileMeta f : outputs) {
            edit.addFile(c.outputLevel(), f);
            bytesWritten += f.size;
        }
        return edit;
    }
}

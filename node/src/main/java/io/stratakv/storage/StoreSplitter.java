package io.stratakv.storage;

import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.log.LogSeed;
import io.stratakv.storage.lsm.LsmTree;
import io.stratakv.storage.lsm.WriteBatch;

import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * Builds the store of one split child from its parent's frozen state (storage/ENGINE.md, "Split
 * entry"): a fresh tree holding exactly the parent's user keys whose hash falls in the child's half,
 * each with its stored bytes (so its version) unchanged, plus the parent's whole request-id table,
 * and a log that starts right after the split entry in the split entry's epoch.
 *
 * <p>Why a rewrite and not hard links of the parent's tables with a range filter: a rewrite leaves
 * each child an ordinary store (no filter in gets, scans, compactions or sizes; nothing in the LSM
 * code changes), at the price of copying the parent's live data once. It runs off the write path,
 * after the parent stopped taking writes and before the children are published, so it adds its
 * duration to the split's unavailability window; see node/README.md for the measured rate.
 *
 * <p>Deterministic: every replica builds the same key set from the same frozen tree (the parent's
 * tree at the split offset is the same on every replica). Not atomic: the caller builds into a
 * temporary directory and renames it into place.
 */
public final class StoreSplitter {

    /** Keys per tree batch while copying. */
    private static final int BATCH_KEYS = 1024;
    /** Reserved table 'c' in a child: where it came from (parent split offset and entry); informational. */
    static final byte[] CHILD_MARKER = ReservedKeys.key((byte) 'c', new byte[0]);

    private StoreSplitter() {
    }

    /** What one child got: its user keys and request ids copied. */
    public record ChildStats(long userKeys, long requestIds) {
    }

    /**
     * Writes the child's tree under childDir/lsm and its log under childDir/log. childDir must not
     * hold a store.
     *
     * @param parent the parent store, which has applied its split ({@link PartitionStore#appliedSplit()})
     * @param lower  true for the lower child, false for the upper one
     * @param hash   the keyspace's key hash (zk-schema KeyHash)
     */
    public static ChildStats buildChild(StorageFs fs, PartitionStore parent, boolean lower, Path childDir,
                                        StoreOptions options, ToLongFunction<byte[]> hash) {
        PartitionStore.AppliedSplit s = parent.appliedSplit();
        if (s == null) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "the parent store has not applied a split");
        }
        long keys = 0;
        long ids = 0;
        try (LsmTree child = LsmTree.open(fs, childDir.resolve("lsm"), options)) {
            WriteBatch b = new WriteBatch();
            b.put(CHILD_MARKER, s.encode()); // never empty: the child's tree records the split offset
            try (KvIterator it = parent.tree().scan(null, null)) {
                while (it.next()) {
                    byte[] k = it.key();
                    if (ReservedKeys.isReserved(k)) {
                        if (k.length > ReservedKeys.PREFIX.length && k[ReservedKeys.PREFIX.length] == RequestIdTable.TABLE) {
                            b.put(k, it.value()); // request ids: retries of writes to either half are recognised
                            ids++;
                        } else {
                            continue; // the parent's split marker and anything else of its own
                        }
                    } else {
                        long h = hash.applyAsLong(k);
                        if (!s.entry().inParent(h) || s.entry().toLower(h) != lower) {
                            continue;
                        }
                        b.put(k, it.value());
                        keys++;
                    }
                    if (b.size() >= BATCH_KEYS) {
                        child.apply(b, s.offset());
                        b = new WriteBatch();
                    }
                }
            }
            child.apply(b, s.offset());
            child.flush(); // persisted offset = the split offset: the child's log starts right after it
        }
        LogSeed.create(fs, childDir.resolve("log"), s.offset() + 1, s.epoch());
        return new ChildStats(keys, ids);
    }
}

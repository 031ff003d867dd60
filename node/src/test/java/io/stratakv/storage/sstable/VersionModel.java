package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference the table is checked against, built without the internal-key comparator for
 * point reads: per user key, its versions by sequence; get = newest version at or below the snapshot.
 */
final class VersionModel {

    private final TreeMap<byte[], TreeMap<Long, KV>> byUserKey = new TreeMap<>(Arrays::compareUnsigned);
    private final TreeMap<byte[], KV> byInternalKey = new TreeMap<>(InternalKey.COMPARATOR);

    VersionModel(List<KV> entries) {
        for (KV kv : entries) {
            byUserKey.computeIfAbsent(InternalKey.userKey(kv.key()), k -> new TreeMap<>())
                    .put(InternalKey.sequence(kv.key()), kv);
            byInternalKey.put(kv.key(), kv);
        }
    }

    KV get(byte[] userKey, long snapshot) {
        TreeMap<Long, KV> versions = byUserKey.get(userKey);
        if (versions == null) {
            return null;
        }
        Map.Entry<Long, KV> e = versions.floorEntry(Math.min(snapshot, InternalKey.MAX_SEQUENCE));
        return e == null ? null : e.getValue();
    }

    /** First entry whose internal key is >= target. */
    KV ceiling(byte[] internalTarget) {
        Map.Entry<byte[], KV> e = byInternalKey.ceilingEntry(internalTarget);
        return e == null ? null : e.getValue();
    }

    Iterable<byte[]> userKeys() {
        return byUserKey.keySet();
    }

    Iterable<Long> sequences(byte[] userKey) {
        return byUserKey.get(userKey).keySet();
    }
}

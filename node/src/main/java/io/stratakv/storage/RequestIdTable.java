package io.stratakv.storage;

import io.stratakv.storage.lsm.LsmTree;
import io.stratakv.storage.lsm.WriteBatch;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated table of recent client request ids (DESIGN.md §3, idempotent retries), kept in
 * the partition's own LSM tree under the reserved key space, table {@code 'r'} (ENGINE.md, "Reserved
 * keys"), so it is rebuilt from the log, flushed with the tree and carried by checkpoints.
 *
 * <p>Invariants: an entry recorded at offset X is a duplicate match for entries at offsets
 * X+1 … X+{@link #RETENTION_OFFSETS} and for none after; it is deleted (in the same tree batch)
 * when offset X+RETENTION_OFFSETS is applied. Both depend on offsets only, so every replica
 * recognises exactly the same retries. {@code byOffset} mirrors the tree's entries (rebuilt by a
 * scan at open); both are touched only by the applier, under PartitionStore's apply lock.
 */
final class RequestIdTable {

    /**
     * How many log offsets a request id is remembered for. Part of the replicated state machine:
     * every replica of a partition must use the same value, so it is a constant, not a setting.
     * At 10,000 writes/s to one partition that is 10 s of retries; the tree holds at most this many
     * entries (request id ≤ 128 bytes + ~12 bytes each), and the applier's index the same.
     */
    static final long RETENTION_OFFSETS = 100_000;
    static final byte TABLE = 'r';
    static final byte[] PREFIX = ReservedKeys.tablePrefix(TABLE);

    private final LsmTree tree;
    private final String where;
    private final TreeMap<Long, byte[]> byOffset = new TreeMap<>();

    RequestIdTable(LsmTree tree, String where) {
        this.tree = tree;
        this.where = where;
        try (KvIterator it = tree.scanPrefix(PREFIX)) {
            while (it.next()) {
                ApplyOutcome o = decode(it.value());
                byOffset.put(o.offset(), Arrays.copyOfRange(it.key(), PREFIX.length, it.key().length));
            }
        }
    }

    static byte[] key(byte[] requestId) {
        return ReservedKeys.key(TABLE, requestId);
    }

    /** Adds to batch the deletes of entries that expire when offset is applied. */
    void expire(long offset, WriteBatch batch) {
        long last = offset - RETENTION_OFFSETS;
        while (!byOffset.isEmpty() && byOffset.firstKey() <= last) {
            Map.Entry<Long, byte[]> e = byOffset.pollFirstEntry();
            batch.delete(key(e.getValue()));
        }
    }

    /** The original outcome of requestId if it was applied within the retention before offset, else null. */
    ApplyOutcome lookup(byte[] requestId, long offset) {
        byte[] stored = tree.get(key(requestId));
        if (stored == null) {
            return null;
        }
        ApplyOutcome o = decode(stored);
        return offset - o.offset() <= RETENTION_OFFSETS ? o : null;
    }

    void record(byte[] requestId, ApplyOutcome o, WriteBatch batch) {
        byte[] v = new byte[Coding.varintLength(o.offset()) + 1 + Coding.varintLength(o.version())];
        int p = Coding.putVarint(v, 0, o.offset());
        v[p++] = (byte) o.status().code;
        Coding.putVarint(v, p, o.version());
        batch.put(key(requestId), v);
        byOffset.put(o.offset(), requestId.clone());
    }

    int size() {
        return byOffset.size();
    }

    private ApplyOutcome decode(byte[] v) {
        long[] out = new long[1];
        int p = readVarint(v, 0, out);
        long offset = out[0];
        if (p >= v.length) {
            throw new CorruptionException(where, offset, "truncated request-id entry");
        }
        ApplyOutcome.Status status;
        try {
            status = ApplyOutcome.Status.of(v[p++]);
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(where, offset, e.getMessage());
        }
        p = readVarint(v, p, out);
        if (p != v.length) {
            throw new CorruptionException(where, offset, "trailing bytes in a request-id entry");
        }
        return new ApplyOutcome(status, offset, out[0], false);
    }

    private int readVarint(byte[] b, int p, long[] out) {
        long v = 0;
        int shift = 0;
        while (true) {
            if (p >= b.length || shift > 56) {
                throw new CorruptionException(where, -1, "bad varint in a request-id entry");
            }
            byte x = b[p++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                out[0] = v;
                return p;
            }
            shift += 7;
        }
    }
}

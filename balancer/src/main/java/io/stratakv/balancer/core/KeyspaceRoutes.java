package io.stratakv.balancer.core;

import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.hash.KeyHash;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One keyspace's routing table: its serving partitions' hash ranges in ring order, searched by
 * {@link HashRange#find} (binary search), so a key goes to exactly one partition.
 *
 * <p>Invariant: {@code ranges} are sorted by unsigned start and never overlap. RETIRED partitions
 * are left out. If a cache briefly holds both a split parent (not yet seen RETIRED) and its
 * children, the narrower ranges win: the controller publishes the children and retires the parent
 * in one ZooKeeper multi, so once a child is visible the parent no longer serves its range.
 * Immutable.
 */
public final class KeyspaceRoutes {

    private final KeyspaceRecord keyspace;
    private final List<HashRange> ranges;
    private final List<PartitionRecord> owners;
    private final Map<Integer, ZnodeEntry<PartitionRecord>> partitions;

    public KeyspaceRoutes(KeyspaceRecord keyspace, Map<Integer, ZnodeEntry<PartitionRecord>> partitions) {
        this.keyspace = keyspace;
        this.partitions = Map.copyOf(partitions);
        List<PartitionRecord> candidates = new ArrayList<>();
        for (ZnodeEntry<PartitionRecord> e : partitions.values()) {
            if (e.value().state() != PartitionState.RETIRED) {
                candidates.add(e.value());
            }
        }
        candidates.sort(Comparator.<PartitionRecord, java.math.BigInteger>comparing(p -> p.range().size())
                .thenComparingInt(PartitionRecord::partitionId));
        TreeMap<Long, PartitionRecord> byStart = new TreeMap<>(Long::compareUnsigned);
        for (PartitionRecord p : candidates) {
            HashRange r = p.range();
            Map.Entry<Long, PartitionRecord> below = byStart.floorEntry(r.start());
            Map.Entry<Long, PartitionRecord> above = byStart.ceilingEntry(r.start());
            boolean overlaps = (below != null && Long.compareUnsigned(below.getValue().range().end(), r.start()) >= 0)
                    || (above != null && Long.compareUnsigned(above.getKey(), r.end()) <= 0);
            if (!overlaps) {
                byStart.put(r.start(), p);
            }
        }
        this.owners = List.copyOf(byStart.values());
        this.ranges = owners.stream().map(PartitionRecord::range).toList();
    }

    public KeyspaceRecord keyspace() {
        return keyspace;
    }

    /** The partition that owns {@code key}; empty only if the ranges leave a gap there (a broken map). */
    public Optional<PartitionRecord> partitionFor(byte[] key) {
        return partitionForHash(KeyHash.hash(key));
    }

    public Optional<PartitionRecord> partitionForHash(long hash) {
        int i = HashRange.find(ranges, hash);
        return i < 0 ? Optional.empty() : Optional.of(owners.get(i));
    }

    /** Serving partitions in ring order. */
    public List<PartitionRecord> routed() {
        return owners;
    }

    /** Every partition znode of the keyspace, RETIRED ones included, with its znode version. */
    public Map<Integer, ZnodeEntry<PartitionRecord>> partitions() {
        return partitions;
    }

    /** Whether the serving ranges cover the whole ring. */
    public boolean complete() {
        return HashRange.coversExactly(ranges);
    }
}

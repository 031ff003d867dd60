package io.stratakv.storage.sstable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A byte-bounded cache of decoded data blocks, keyed by (file number, block offset), shared by all
 * table readers of a store.
 *
 * <p><b>Concurrency.</b> The cache is split into a power-of-two number of shards by a hash of the
 * key. A lookup is lock-free: a ConcurrentHashMap read plus, the first time an entry is hit after
 * the clock hand passed it, one plain write of its "referenced" bit. Inserts, evictions and
 * evictFile take the shard's lock; they happen on a miss, which has just paid for a disk read.
 *
 * <p><b>Eviction.</b> CLOCK (second chance), an approximation of LRU that needs no list moves on a
 * hit: each shard keeps its entries in insertion order; to make room, the hand looks at the oldest
 * entry, and if it was referenced since it was last looked at, clears the bit and moves it to the
 * young end, else evicts it.
 *
 * <p><b>Invariants.</b> Under a shard's lock, its map and its clock list hold the same nodes and
 * {@code used} is the sum of their charges; after an insert returns, {@code used <= capacity} of
 * that shard (a block larger than a shard's capacity is not kept). So {@link #usedBytes()} never
 * exceeds the capacity once concurrent inserts have returned.
 *
 * <p><b>Keys.</b> File numbers must be unique among the files that share one cache (one cache per
 * store, or stores that allocate file numbers from one counter), and a file's contents must never
 * change while it has that number — true of SSTables, which are written once.
 */
public final class BlockCache {

    /** A shard smaller than this would hold too few blocks for CLOCK to make sense. */
    private static final long MIN_SHARD_BYTES = 1L << 20;
    private static final int MAX_SHARDS = 64;

    private final Shard[] shards;
    private final int shardShift;
    private final long capacityBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** A cache of capacityBytes with as many shards (up to 64) as leave each at least 1 MiB. */
    public BlockCache(long capacityBytes) {
        this(capacityBytes, defaultShardCount(capacityBytes));
    }

    /** A cache of capacityBytes split into shardCount shards (a power of two, 1..1024). */
    public BlockCache(long capacityBytes, int shardCount) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacityBytes);
        }
        if (shardCount < 1 || shardCount > 1024 || Integer.bitCount(shardCount) != 1) {
            throw new IllegalArgumentException("shard count must be a power of two in 1..1024: " + shardCount);
        }
        this.capacityBytes = capacityBytes;
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new Shard(capacityBytes / shardCount);
        }
        this.shardShift = 32 - Integer.numberOfTrailingZeros(shardCount);
    }

    static int defaultShardCount(long capacityBytes) {
        long n = Math.max(1, Math.min(MAX_SHARDS, capacityBytes / MIN_SHARD_BYTES));
        return Integer.highestOneBit((int) n);
    }

    /** The cached block, or null. Counts a hit or a miss. */
    Block get(long fileNumber, long blockOffset) {
        int h = hash(fileNumber, blockOffset);
        Node n = shardFor(h).map.get(new Key(fileNumber, blockOffset, h));
        if (n == null) {
            misses.increment();
            return null;
        }
        if (!n.referenced) {
            n.referenced = true;
        }
        hits.increment();
        return n.block;
    }

    /**
     * Caches block unless the key is already present; returns the block now cached for the key
     * (the existing one if another thread got there first), or block itself if it was not kept.
     */
    Block putIfAbsent(long fileNumber, long blockOffset, Block block) {
        int h = hash(fileNumber, blockOffset);
        return shardFor(h).insert(new Key(fileNumber, blockOffset, h), block);
    }

    /** Drops every cached block of the file. */
    public void evictFile(long fileNumber) {
        for (Shard s : shards) {
            s.evictFile(fileNumber);
        }
    }

    /** Charged bytes of the cached blocks (contents plus a fixed per-block overhead). */
    public long usedBytes() {
        long used = 0;
        for (Shard s : shards) {
            used += s.used();
        }
        return used;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long entryCount() {
        long n = 0;
        for (Shard s : shards) {
            n += s.map.size();
        }
        return n;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public int shardCount() {
        return shards.length;
    }

    /** Checks every shard's invariants (map and clock list agree, used is their total); for tests. */
    void checkInvariants() {
        for (Shard s : shards) {
            s.checkInvariants();
        }
    }

    @Override
    public String toString() {
        return "BlockCache[capacity=" + capacityBytes + ", used=" + usedBytes() + ", entries=" + entryCount()
                + ", shards=" + shards.length + ", hits=" + hits() + ", misses=" + misses() + "]";
    }

    private Shard shardFor(int h) {
        return shardShift == 32 ? shards[0] : shards[h >>> shardShift];
    }

    /** A 32-bit mix of both longs (the murmur3 finalizer); high bits pick the shard, the map uses it all. */
    private static int hash(long fileNumber, long blockOffset) {
        long z = fileNumber * 0x9E3779B97F4A7C15L + blockOffset;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (z ^ (z >>> 33));
    }

    private record Key(long fileNumber, long blockOffset, int hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.fileNumber == fileNumber && k.blockOffset == blockOffset;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Node {
        final Key key;
        final Block block;
        final int charge;
        /** Set by readers without a lock (a lost or late write only skews eviction order). */
        boolean referenced;
        Node older;
        Node younger;

        Node(Key key, Block block) {
            this.key = key;
            this.block = block;
            this.charge = block.charge();
        }
    }

    private static final class Shard {
        final ConcurrentHashMap<Key, Node> map = new ConcurrentHashMap<>();
        final long capacity;
        /** Clock order: oldest is where the hand looks next; new nodes go to youngest. Guarded by this. */
        private Node oldest;
        private Node youngest;
        private long used;

        Shard(long capacity) {
            this.capacity = capacity;
        }

        synchronized long used() {
            return used;
        }

        synchronized Block insert(Key key, Block block) {
            Node existing = map.get(key);
            if (existing != null) {
                return existing.block;
            }
            Node n = new Node(key, block);
            if (n.charge > capacity) {
                return block;
            }
            map.put(key, n);
            link(n);
            used += n.charge;
            // Each node gets at most one second chance per insert, so this ends even while readers
            // keep setting bits: after 2 * size steps every survivor has been looked at twice.
            int budget = 2 * map.size() + 2;
            while (used > capacity && oldest != null) {
                Node victim = oldest;
                unlink(victim);
                if (victim.referenced && budget-- > 0) {
                    victim.referenced = false;
                    link(victim);
                } else {
                    map.remove(victim.key, victim);
                    used -= victim.charge;
                }
            }
            return block;
        }

        synchronized void evictFile(long fileNumber) {
            for (Node n = oldest; n != null; ) {
                Node next = n.younger;
                if (n.key.fileNumber == fileNumber) {
                    unlink(n);
                    map.remove(n.key, n);
                    used -= n.charge;
                }
                n = next;
            }
        }

        synchronized void checkInvariants() {
            long total = 0;
            int count = 0;
            for (Node n = oldest; n != null; n = n.younger) {
                if (map.get(n.key) != n) {
                    throw new IllegalStateException("clock list node not in the map: " + n.key);
                }
                total += n.charge;
                count++;
            }
            if (count != map.size() || total != used || used > capacity) {
                throw new IllegalStateException("shard: " + count + " listed, " + map.size() + " mapped, used " + used
                        + " vs " + total + ", capacity " + capacity);
            }
        }

        private void link(Node n) {
            n.older = youngest;
            n.younger = null;
            if (youngest != null) {
                youngest.younger = n;
            } else {
                oldest = n;
            }
            youngest = n;
        }

        private void unlink(Node n) {
            if (n.older != null) {
                n.older.younger = n.younger;
            } else {
                oldest = n.younger;
            }
            if (n.younger != null) {
                n.younger.older = n.older;
            } else {
                youngest = n.older;
            }
            n.older = null;
            n.younger = null;
        }
    }
}

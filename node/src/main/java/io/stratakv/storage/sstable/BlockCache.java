package io.stratakv.storage.sstable;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * A byte-bounded cache of decoded data blocks, keyed by (file number, block offset), shared by all
 * table readers of a store.
 *
 * <p><b>Concurrency.</b> The cache is split into a power-of-two number of shards by a hash of the
 * key. Each shard is a chained hash table whose readers take no lock and allocate nothing: they
 * load the bucket array (volatile), the bucket head (acquire) and follow {@code next} links
 * (volatile). Writers (insert, evict, evictFile, resize) hold the shard's monitor; they run on a
 * miss, which has just paid for a disk read. A node is fully built before a release store
 * publishes it; unlinking a node leaves its own {@code next} intact, so a reader standing on it
 * walks on; a resize re-links nodes into a new array and never creates a cycle, so a reader racing
 * it may at worst miss an entry that is present (a redundant read, then putIfAbsent finds it).
 *
 * <p><b>Eviction.</b> CLOCK (second chance), an approximation of LRU that needs no list moves on a
 * hit: a hit sets the node's "referenced" bit (a plain write; a lost one only skews the order).
 * Each shard keeps its nodes in insertion order; to make room the hand looks at the oldest node:
 * referenced ones have the bit cleared and go to the young end, the others are evicted.
 *
 * <p><b>Invariants</b> (under a shard's monitor): every node in the clock list is in the table
 * and the other way round; {@code used} is the sum of their charges and, once an insert returns,
 * {@code used <= capacity} of the shard (a block larger than a shard is not kept). So
 * {@link #usedBytes()} never exceeds the capacity once concurrent inserts have returned.
 *
 * <p><b>Keys.</b> File numbers must be unique among the files that share one cache (one cache per
 * store, or stores that draw file numbers from one counter), and a file's contents must never
 * change under its number, which holds for SSTables, written once.
 */
public final class BlockCache {

    /** A shard smaller than this would hold too few blocks for CLOCK to make sense. */
    private static final long MIN_SHARD_BYTES = 1L << 20;
    private static final int MAX_SHARDS = 64;
    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(Node[].class);

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

    /** The cached block, or null. Counts a hit or a miss. Lock-free and allocation-free. */
    Block get(long fileNumber, long blockOffset) {
        int h = hash(fileNumber, blockOffset);
        Node n = shardFor(h).find(fileNumber, blockOffset, h);
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
        return shardFor(h).insert(fileNumber, blockOffset, h, block);
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
            n += s.size();
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

    /** Checks every shard's invariants (table and clock list agree, used is their total); for tests. */
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

    /** A 32-bit mix of both longs (murmur3's finalizer): the high bits pick the shard, the low bits the bucket. */
    private static int hash(long fileNumber, long blockOffset) {
        long z = fileNumber * 0x9E3779B97F4A7C15L + blockOffset;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (z ^ (z >>> 33));
    }

    private static final class Node {
        final long fileNumber;
        final long blockOffset;
        final int hash;
        final Block block;
        final int charge;
        /** Next node in the bucket chain; written under the shard's monitor, read by anyone. */
        volatile Node next;
        /** Set by readers without a lock. */
        boolean referenced;
        /** Clock order, guarded by the shard's monitor. */
        Node older;
        Node younger;

        Node(long fileNumber, long blockOffset, int hash, Block block) {
            this.fileNumber = fileNumber;
            this.blockOffset = blockOffset;
            this.hash = hash;
            this.block = block;
            this.charge = block.charge();
        }
    }

    private static final class Shard {
        private final long capacity;
        private volatile Node[] table = new Node[16];
        /** Guarded by this. */
        private int size;
        private long used;
        private Node oldest;
        private Node youngest;

        Shard(long capacity) {
            this.capacity = capacity;
        }

        Node find(long fileNumber, long blockOffset, int h) {
            Node[] t = table;
            for (Node n = (Node) BUCKET.getAcquire(t, h & (t.length - 1)); n != null; n = n.next) {
                if (n.blockOffset == blockOffset && n.fileNumber == fileNumber) {
                    return n;
                }
            }
            return null;
        }

        synchronized long used() {
            return used;
        }

        synchronized int size() {
            return size;
        }

        synchronized Block insert(long fileNumber, long blockOffset, int h, Block block) {
            Node existing = find(fileNumber, blockOffset, h);
            if (existing != null) {
                return existing.block;
            }
            Node n = new Node(fileNumber, blockOffset, h, block);
            if (n.charge > capacity) {
                return block;
            }
            if (size >= table.length - (table.length >>> 2)) {
                resize();
            }
            Node[] t = table;
            int i = h & (t.length - 1);
            n.next = (Node) BUCKET.getAcquire(t, i);
            BUCKET.setRelease(t, i, n);
            size++;
            link(n);
            used += n.charge;
            // Each node gets at most one second chance per insert, so this ends even while readers
            // keep setting bits: after 2 * size steps every survivor has been looked at twice.
            int budget = 2 * size + 2;
            while (used > capacity && oldest != null) {
                Node victim = oldest;
                unlink(victim);
                if (victim.referenced && budget-- > 0) {
                    victim.referenced = false;
                    link(victim);
                } else {
                    remove(victim);
                }
            }
            return block;
        }

        synchronized void evictFile(long fileNumber) {
            for (Node n = oldest; n != null; ) {
                Node next = n.younger;
                if (n.fileNumber == fileNumber) {
                    unlink(n);
                    remove(n);
                }
                n = next;
            }
        }

        /** Takes n (already out of the clock list) out of the table. */
        private void remove(Node n) {
            Node[] t = table;
            int i = n.hash & (t.length - 1);
            Node head = (Node) BUCKET.getAcquire(t, i);
            if (head == n) {
                BUCKET.setRelease(t, i, n.next);
            } else {
                for (Node p = head; p != null; p = p.next) {
                    if (p.next == n) {
                        p.next = n.next;
                        break;
                    }
                }
            }
            size--;
            used -= n.charge;
        }

        /** Doubles the table, re-linking the nodes; published by the volatile write of table. */
        private void resize() {
            Node[] old = table;
            Node[] t = new Node[old.length * 2];
            // Re-link in clock order: every node is in the list exactly once.
            for (Node n = oldest; n != null; n = n.younger) {
                int i = n.hash & (t.length - 1);
                n.next = t[i];
                t[i] = n;
            }
            table = t;
        }

        synchronized void checkInvariants() {
            long total = 0;
            int count = 0;
            for (Node n = oldest; n != null; n = n.younger) {
                if (find(n.fileNumber, n.blockOffset, n.hash) != n) {
                    throw new IllegalStateException("clock list node not in the table: " + n.fileNumber + "@" + n.blockOffset);
                }
                total += n.charge;
                count++;
            }
            int chained = 0;
            for (Node head : table) {
                for (Node n = head; n != null; n = n.next) {
                    chained++;
                }
            }
            if (count != size || chained != size || total != used || used > capacity) {
                throw new IllegalStateException("shard: " + count + " listed, " + chained + " chained, size " + size
                        + ", used " + used + " vs " + total + ", capacity " + capacity);
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

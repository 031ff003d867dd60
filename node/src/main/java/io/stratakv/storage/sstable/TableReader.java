package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An open SSTable. {@link #open} reads and verifies the footer, the index, the filter and the
 * properties and keeps them in memory; data blocks are read on demand, one positional read of
 * block + trailer each, verified by their CRC, and shared through the {@link BlockCache}.
 *
 * <p><b>Threads.</b> After open the reader is immutable: get, mayContain and iterator may be called
 * from any number of threads at once (each iterator is single-threaded). close() must not race
 * with them; the caller (the table cache) reference-counts readers.
 *
 * <p><b>Errors.</b> Bad bytes anywhere raise {@link CorruptionException} naming the file and the
 * offset of the block (or footer) that failed; I/O failures raise {@link StorageException}.
 *
 * <p><b>Get path.</b> Bloom filter (no allocation) → binary search of the in-memory index
 * (separators compared in place) → cache lookup (lock-free) or one read → binary search of the
 * block's restart points (keys compared in place) → forward scan of at most one restart interval
 * with a per-thread key buffer. Only the returned key, value and Entry are allocated.
 */
public final class TableReader implements AutoCloseable {

    /** A found version: its internal key (type and sequence in the trailer) and its value. */
    public record Entry(byte[] internalKey, byte[] value) {

        public long sequence() {
            return InternalKey.sequence(internalKey);
        }

        public boolean isDeletion() {
            return InternalKey.type(internalKey) == InternalKey.TYPE_DELETE;
        }
    }

    private static final ThreadLocal<BlockCursor> GET_CURSOR = ThreadLocal.withInitial(BlockCursor::forInternalKeys);

    private final ReadableFile file;
    private final String fileName;
    private final long fileNumber;
    private final long fileSize;
    private final BlockCache cache;
    private final TableStats stats;
    private final TableIndex index;
    private final BloomFilter filter;
    private final TableProperties properties;
    private volatile boolean closed;

    private TableReader(ReadableFile file, String fileName, long fileNumber, long fileSize, BlockCache cache,
                        TableStats stats, TableIndex index, BloomFilter filter, TableProperties properties) {
        this.file = file;
        this.fileName = fileName;
        this.fileNumber = fileNumber;
        this.fileSize = fileSize;
        this.cache = cache;
        this.stats = stats;
        this.index = index;
        this.filter = filter;
        this.properties = properties;
    }

    /**
     * Opens the table in file, whose first fileSize bytes are the table. Takes ownership of file:
     * the reader closes it, and open closes it too if it fails.
     *
     * @param cache nullable: without a cache every data block access reads the file
     * @param stats nullable: counters to add to
     * @throws CorruptionException if any checked byte is wrong
     */
    public static TableReader open(ReadableFile file, String fileName, long fileNumber, long fileSize,
                                   BlockCache cache, TableStats stats) {
        try {
            return doOpen(file, fileName, fileNumber, fileSize, cache, stats);
        } catch (RuntimeException | Error e) {
            try {
                file.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static TableReader doOpen(ReadableFile file, String fileName, long fileNumber, long fileSize,
                                      BlockCache cache, TableStats stats) {
        if (fileSize < TableFormat.FOOTER_SIZE) {
            throw new CorruptionException(fileName, 0, "file of " + fileSize + " bytes is too short for the "
                    + TableFormat.FOOTER_SIZE + "-byte table footer (truncated or empty table file)");
        }
        long footerOffset = fileSize - TableFormat.FOOTER_SIZE;
        byte[] footerBytes = new byte[TableFormat.FOOTER_SIZE];
        readFully(file, fileName, footerBytes, TableFormat.FOOTER_SIZE, footerOffset, "table footer");
        TableFormat.Footer footer = TableFormat.Footer.decode(footerBytes, fileName, fileSize);

        long dataEnd = Math.min(footer.index().offset(), Math.min(footer.filter().offset(), footer.properties().offset()));

        Block indexBlock = Block.decode(readBlock(file, fileName, footer.index(), BlockKind.INDEX),
                footer.index().size(), fileName, footer.index().offset(), BlockKind.INDEX);
        TableIndex index = TableIndex.decode(indexBlock, dataEnd);

        byte[] filterBytes = readBlock(file, fileName, footer.filter(), BlockKind.FILTER);
        BloomFilter filter = BloomFilter.decode(filterBytes, footer.filter().size(), fileName, footer.filter().offset());

        TableProperties props = decodeProperties(readBlock(file, fileName, footer.properties(), BlockKind.PROPERTIES),
                footer.properties(), fileName);
        if (props.dataBlockCount() != index.count()) {
            throw new CorruptionException(fileName, footer.properties().offset(), "properties count "
                    + props.dataBlockCount() + " data blocks, the index " + index.count());
        }
        return new TableReader(file, fileName, fileNumber, fileSize, cache, stats, index, filter, props);
    }

    // ------------------------------------------------------------------------------------ reads

    /**
     * The newest entry for userKey whose sequence is <= snapshotSeq (Long.MAX_VALUE or any value
     * above {@link InternalKey#MAX_SEQUENCE} means "newest"), or null if this table has none. A
     * tombstone is returned as an entry; the caller interprets its type.
     */
    public Entry get(byte[] userKey, long snapshotSeq) {
        return get(userKey, keyHash(userKey), snapshotSeq);
    }

    /** {@link #get(byte[], long)} with the key's {@link #keyHash} computed once by the caller for all tables. */
    public Entry get(byte[] userKey, long userKeyHash, long snapshotSeq) {
        if (snapshotSeq < 0) {
            throw new IllegalArgumentException("negative snapshot sequence " + snapshotSeq);
        }
        checkOpen();
        if (!mayContainHash(userKeyHash)) {
            return null;
        }
        long trailer = (Math.min(snapshotSeq, InternalKey.MAX_SEQUENCE) << 8) | InternalKey.TYPE_SEEK;
        int n = index.count();
        int i = index.find(userKey, 0, userKey.length, trailer);
        if (i >= n) {
            return null;
        }
        BlockCursor c = GET_CURSOR.get();
        try {
            // The first entry >= target is in block i, or, when block i ends before the target
            // (its separator lies between its last key and the next block's first), first in i + 1.
            for (; i < n; i++) {
                c.reset(dataBlock(i, true));
                c.seek(userKey, 0, userKey.length, trailer);
                if (c.valid()) {
                    if (KeyOrder.hasUserKey(c.keyBuffer(), 0, c.keyLength(), userKey, 0, userKey.length)) {
                        return new Entry(c.copyKey(), c.copyValue());
                    }
                    return null;
                }
            }
            return null;
        } finally {
            c.reset(null);
        }
    }

    /** The hash the bloom filter uses for a user key; compute it once per lookup, use it for every table. */
    public static long keyHash(byte[] userKey) {
        return BloomFilter.hash(userKey);
    }

    /** False only if the table certainly has no entry for userKey. */
    public boolean mayContain(byte[] userKey) {
        return mayContainHash(keyHash(userKey));
    }

    /** {@link #mayContain} for a hash from {@link #keyHash}. */
    public boolean mayContainHash(long userKeyHash) {
        boolean maybe = filter.mayContain(userKeyHash);
        if (stats != null) {
            stats.bloomCheck(!maybe);
        }
        return maybe;
    }

    /** An iterator over all entries; data blocks come through the cache and are added to it. */
    public InternalIterator iterator() {
        return iterator(true);
    }

    /** An iterator; fillCache false (compaction) uses cached blocks but does not add the ones it reads. */
    public InternalIterator iterator(boolean fillCache) {
        checkOpen();
        return new TableIterator(this, fillCache);
    }

    // ------------------------------------------------------------------------------ properties

    public byte[] smallestKey() {
        return properties.smallestKey().clone();
    }

    public byte[] largestKey() {
        return properties.largestKey().clone();
    }

    public long entryCount() {
        return properties.entryCount();
    }

    public TableProperties properties() {
        return properties;
    }

    public long fileNumber() {
        return fileNumber;
    }

    public long fileSize() {
        return fileSize;
    }

    public String fileName() {
        return fileName;
    }

    public int dataBlockCount() {
        return index.count();
    }

    /** Heap held by the open table outside the block cache (index and filter). */
    public long memoryBytes() {
        return index.memoryBytes() + (long) filter.lines() * BloomFilter.LINE_BYTES;
    }

    /** Closes the file and drops this file's blocks from the cache. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cache != null) {
            cache.evictFile(fileNumber);
        }
        try {
            file.close();
        } catch (IOException e) {
            throw StorageException.io("closing table " + fileName, e);
        }
    }

    @Override
    public String toString() {
        return "TableReader[" + fileName + " #" + fileNumber + ", " + fileSize + " bytes, " + properties + "]";
    }

    // ------------------------------------------------------------------------------ internals

    TableIndex index() {
        return index;
    }

    /** Data block i, from the cache or the file; added to the cache when fillCache. */
    Block dataBlock(int i, boolean fillCache) {
        long off = index.offset(i);
        if (cache != null) {
            Block b = cache.get(fileNumber, off);
            if (b != null) {
                if (stats != null) {
                    stats.cacheHit();
                }
                return b;
            }
            if (stats != null) {
                stats.cacheMiss();
            }
        }
        BlockHandle h = new BlockHandle(off, index.size(i));
        byte[] bytes = readBlock(file, fileName, h, BlockKind.DATA);
        if (stats != null) {
            stats.blockRead(bytes.length);
        }
        Block b = Block.decode(bytes, h.size(), fileName, off, BlockKind.DATA);
        return cache != null && fillCache ? cache.putIfAbsent(fileNumber, off, b) : b;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException(StorageErrorCode.CLOSED, "table " + fileName + " is closed");
        }
    }

    /**
     * Reads block + trailer in one positional read and verifies the CRC and the compression type.
     * Returns an array of size + 5 bytes whose first size bytes are the contents.
     */
    static byte[] readBlock(ReadableFile file, String fileName, BlockHandle h, BlockKind kind) {
        int size = h.size();
        byte[] buf = new byte[size + TableFormat.BLOCK_TRAILER_SIZE];
        readFully(file, fileName, buf, buf.length, h.offset(), kind.label() + " at offset " + h.offset());
        byte type = buf[size];
        int stored = Coding.getInt(buf, size + 1);
        int computed = TableFormat.blockCrc(buf, size, type);
        if (stored != computed) {
            throw Block.corrupt(fileName, h.offset(), kind, String.format(
                    "checksum mismatch (size %d, stored crc32c 0x%08x, computed 0x%08x)", size, stored, computed));
        }
        if (type != TableFormat.COMPRESSION_NONE) {
            throw Block.corrupt(fileName, h.offset(), kind, "unsupported compression type " + (type & 0xFF));
        }
        return buf;
    }

    private static void readFully(ReadableFile file, String fileName, byte[] buf, int len, long position, String what) {
        try {
            file.readFully(ByteBuffer.wrap(buf, 0, len), position);
        } catch (EOFException e) {
            throw new CorruptionException(fileName, position, what + ": file ends before its " + len + " bytes (truncated)");
        } catch (IOException e) {
            throw StorageException.io("reading " + what + " of table " + fileName, e);
        }
    }

    private static TableProperties decodeProperties(byte[] bytes, BlockHandle h, String fileName) {
        Block block = Block.decode(bytes, h.size(), fileName, h.offset(), BlockKind.PROPERTIES);
        BlockCursor c = new BlockCursor(0);
        c.reset(block);
        long entries = -1;
        long deletions = -1;
        long dataBlocks = -1;
        long keyBytes = -1;
        long valueBytes = -1;
        long version = -1;
        byte[] smallest = null;
        byte[] largest = null;
        for (c.seekToFirst(); c.valid(); c.next()) {
            String name = new String(c.keyBuffer(), 0, c.keyLength(), StandardCharsets.ISO_8859_1);
            FieldReader r = new FieldReader(c.data(), c.valueOffset(), c.valueLength(), fileName, h.offset(),
                    BlockKind.PROPERTIES);
            switch (name) {
                case "data.blocks" -> dataBlocks = r.varint64(name);
                case "deletions" -> deletions = r.varint64(name);
                case "entries" -> entries = r.varint64(name);
                case "format.version" -> version = r.varint64(name);
                case "key.bytes" -> keyBytes = r.varint64(name);
                case "value.bytes" -> valueBytes = r.varint64(name);
                case "largest.key" -> largest = r.rest();
                case "smallest.key" -> smallest = r.rest();
                default -> r.rest(); // a property a newer writer added: ignored
            }
            r.expectEnd(name);
        }
        String missing = entries < 0 ? "entries" : deletions < 0 ? "deletions" : dataBlocks < 0 ? "data.blocks"
                : keyBytes < 0 ? "key.bytes" : valueBytes < 0 ? "value.bytes" : version < 0 ? "format.version"
                : smallest == null ? "smallest.key" : largest == null ? "largest.key" : null;
        if (missing != null) {
            throw block.corrupt("property '" + missing + "' is missing");
        }
        if (version != TableFormat.FORMAT_VERSION) {
            throw block.corrupt("format.version " + version + " disagrees with the footer's " + TableFormat.FORMAT_VERSION);
        }
        if (entries == 0 || dataBlocks == 0 || deletions > entries) {
            throw block.corrupt("implausible counts: " + entries + " entries, " + deletions + " deletions, "
                    + dataBlocks + " data blocks");
        }
        if (smallest.length < InternalKey.TRAILER || largest.length < InternalKey.TRAILER
                || InternalKey.COMPARATOR.compare(smallest, largest) > 0) {
            throw block.corrupt("smallest/largest keys are not internal keys in order");
        }
        return new TableProperties(entries, deletions, dataBlocks, keyBytes, valueBytes, smallest, largest, (int) version);
    }
}

package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.WritableFile;
import io.stratakv.storage.lsm.InternalKey;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes one SSTable from entries given in strictly increasing internal-key order (the layout is in
 * SSTABLE_FORMAT.md): data blocks as they fill, then at {@link #finish()} the filter block, the
 * properties block, the index block and the footer.
 *
 * <p><b>Index separators.</b> A data block's index entry is written when the next block's first
 * key is known, so it can be a short key between the two (LevelDB's FindShortestSeparator): for
 * user keys "apple…" and "cherry", "b" with the newest possible trailer. The last block's index
 * key is its last key.
 *
 * <p><b>Ownership.</b> The builder appends to {@code out} but never syncs or closes it: the caller
 * fsyncs after finish() and closes the file. {@code out} must be empty. After an I/O error the
 * builder refuses further calls; the caller abandons the file.
 *
 * <p>Not thread-safe. Buffers (block contents, last key, bloom hashes) are reused across blocks;
 * add() allocates nothing in the common case.
 */
public final class TableBuilder implements AutoCloseable {

    private enum State { OPEN, FINISHED, ABANDONED, FAILED }

    private final WritableFile out;
    private final String fileName;
    private final TableOptions options;
    private final BlockBuilder dataBlock;
    private final BlockBuilder indexBlock = new BlockBuilder(TableFormat.INDEX_RESTART_INTERVAL);
    private final CRC32C crc = new CRC32C();
    private final byte[] handleScratch = new byte[20];
    private byte[] separator = new byte[64];

    private State state = State.OPEN;
    private long offset;

    private byte[] lastKey = new byte[64];
    private int lastKeyLength;
    private byte[] smallestKey;

    /** Index entry of the last data block, written once the next key (or finish) arrives. */
    private boolean pendingIndexEntry;
    private long pendingOffset;
    private int pendingSize;

    private long[] userKeyHashes = new long[256];
    private int hashCount;

    private long entryCount;
    private long deletionCount;
    private long dataBlockCount;
    private long rawKeyBytes;
    private long rawValueBytes;

    public TableBuilder(WritableFile out, String fileName, TableOptions options) {
        this.out = Objects.requireNonNull(out, "out");
        this.fileName = Objects.requireNonNull(fileName, "fileName");
        this.options = Objects.requireNonNull(options, "options");
        this.dataBlock = new BlockBuilder(options.restartInterval());
        long size;
        try {
            size = out.size();
        } catch (IOException e) {
            throw StorageException.io("sizing new table " + fileName, e);
        }
        if (size != 0) {
            throw new IllegalArgumentException("table file " + fileName + " must be empty, has " + size + " bytes");
        }
    }

    /**
     * Appends an entry. Keys must be strictly increasing in {@link InternalKey#COMPARATOR} order
     * and at least 8 bytes (the trailer); else IllegalArgumentException and nothing is added.
     */
    public void add(byte[] internalKey, byte[] value) {
        checkOpen();
        int keyLen = internalKey.length;
        if (keyLen < InternalKey.TRAILER) {
            throw new IllegalArgumentException("internal key of " + keyLen + " bytes has no 8-byte trailer");
        }
        boolean newUserKey = true;
        if (entryCount > 0) {
            if (KeyOrder.compare(lastKey, 0, lastKeyLength, internalKey, 0, keyLen) >= 0) {
                throw new IllegalArgumentException("keys out of order in " + fileName + ": "
                        + InternalKey.describe(internalKey) + " after " + InternalKey.describe(Arrays.copyOf(lastKey, lastKeyLength)));
            }
            newUserKey = !KeyOrder.hasUserKey(lastKey, 0, lastKeyLength, internalKey, 0, keyLen - InternalKey.TRAILER);
        }
        if (dataBlock.sizeAfter(keyLen, value.length) > TableFormat.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("entry of " + keyLen + " + " + value.length + " bytes is too large for a block");
        }

        if (pendingIndexEntry) {
            addIndexEntry(internalKey);
        }
        if (newUserKey) {
            if (hashCount == userKeyHashes.length) {
                userKeyHashes = Arrays.copyOf(userKeyHashes, hashCount * 2);
            }
            userKeyHashes[hashCount++] = BloomFilter.hash(internalKey, 0, keyLen - InternalKey.TRAILER);
        }
        if (entryCount == 0) {
            smallestKey = internalKey.clone();
        }
        if (lastKey.length < keyLen) {
            lastKey = new byte[Math.max(keyLen, lastKey.length * 2)];
        }
        System.arraycopy(internalKey, 0, lastKey, 0, keyLen);
        lastKeyLength = keyLen;

        dataBlock.add(internalKey, value);
        entryCount++;
        if (InternalKey.type(internalKey) == InternalKey.TYPE_DELETE) {
            deletionCount++;
        }
        rawKeyBytes += keyLen;
        rawValueBytes += value.length;
        if (dataBlock.estimatedSize() >= options.blockSize()) {
            flushDataBlock();
        }
    }

    /** Bytes written so far plus the data block being filled; callers cut output files by it. */
    public long estimatedFileSize() {
        return offset + (dataBlock.isEmpty() ? 0 : dataBlock.estimatedSize() + TableFormat.BLOCK_TRAILER_SIZE);
    }

    public long entryCount() {
        return entryCount;
    }

    /**
     * Writes the last data block, the filter, properties and index blocks and the footer; returns
     * the file size. Does not fsync. An empty table is refused with IllegalStateException: the
     * caller should write no file at all (a table always has a smallest and a largest key).
     */
    public long finish() {
        checkOpen();
        if (entryCount == 0) {
            throw new IllegalStateException("cannot finish table " + fileName + " with no entries; abandon it instead");
        }
        if (!dataBlock.isEmpty()) {
            flushDataBlock();
        }
        if (pendingIndexEntry) {
            addIndexEntry(null);
        }
        byte[] filter = BloomFilter.build(userKeyHashes, hashCount, options.bloomBitsPerKey());
        BlockHandle filterHandle = writeRawBlock(filter, filter.length);
        BlockHandle propertiesHandle = writeProperties();
        int indexSize = indexBlock.finish();
        BlockHandle indexHandle = writeBlock(indexBlock.buffer(), indexSize);
        byte[] footer = new TableFormat.Footer(indexHandle, filterHandle, propertiesHandle, TableFormat.FORMAT_VERSION).encode();
        append(footer, footer.length);
        state = State.FINISHED;
        userKeyHashes = null;
        return offset;
    }

    /** Stops without finishing; the caller deletes the file. Idempotent. */
    public void abandon() {
        if (state == State.OPEN || state == State.FAILED) {
            state = State.ABANDONED;
            userKeyHashes = null;
        }
    }

    /** Abandons the table unless it was finished; never closes the file. */
    @Override
    public void close() {
        abandon();
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("table builder for " + fileName + " is " + state.name().toLowerCase());
        }
    }

    private void flushDataBlock() {
        int size = dataBlock.finish();
        BlockHandle h = writeBlock(dataBlock.buffer(), size);
        dataBlock.reset();
        dataBlockCount++;
        pendingIndexEntry = true;
        pendingOffset = h.offset();
        pendingSize = h.size();
    }

    /** Adds the pending block's index entry, keyed by a separator before nextKey (or the last key if null). */
    private void addIndexEntry(byte[] nextKey) {
        int p = Coding.putVarint(handleScratch, 0, pendingOffset);
        p = Coding.putVarint(handleScratch, p, pendingSize);
        int sepLen = nextKey == null ? 0 : shortSeparator(nextKey);
        if (sepLen > 0) {
            indexBlock.add(separator, 0, sepLen, handleScratch, 0, p);
        } else {
            indexBlock.add(lastKey, 0, lastKeyLength, handleScratch, 0, p);
        }
        pendingIndexEntry = false;
    }

    /**
     * If a user key s exists with lastUser < s < nextUser that is shorter than lastUser, writes
     * s + (MAX_SEQUENCE, TYPE_SEEK) to {@link #separator} and returns its length; else 0. That key
     * is > the last key (its user key is larger) and < the next key (its user key is smaller).
     */
    private int shortSeparator(byte[] nextKey) {
        int aLen = lastKeyLength - InternalKey.TRAILER;
        int bLen = nextKey.length - InternalKey.TRAILER;
        int min = Math.min(aLen, bLen);
        int d = Arrays.mismatch(lastKey, 0, min, nextKey, 0, min);
        if (d < 0 || d + 1 >= aLen) {
            return 0;
        }
        int x = lastKey[d] & 0xFF;
        if (x == 0xFF || x + 1 >= (nextKey[d] & 0xFF)) {
            return 0;
        }
        int len = d + 1 + InternalKey.TRAILER;
        if (separator.length < len) {
            separator = new byte[len];
        }
        System.arraycopy(lastKey, 0, separator, 0, d);
        separator[d] = (byte) (x + 1);
        Coding.putLong(separator, d + 1, (InternalKey.MAX_SEQUENCE << 8) | InternalKey.TYPE_SEEK);
        return len;
    }

    private BlockHandle writeProperties() {
        BlockBuilder b = new BlockBuilder(1);
        // Names in ascending byte order, as the format asks.
        b.add(ascii("data.blocks"), varint(dataBlockCount));
        b.add(ascii("deletions"), varint(deletionCount));
        b.add(ascii("entries"), varint(entryCount));
        b.add(ascii("format.version"), varint(TableFormat.FORMAT_VERSION));
        b.add(ascii("key.bytes"), varint(rawKeyBytes));
        b.add(ascii("largest.key"), Arrays.copyOf(lastKey, lastKeyLength));
        b.add(ascii("smallest.key"), smallestKey);
        b.add(ascii("value.bytes"), varint(rawValueBytes));
        int size = b.finish();
        return writeBlock(b.buffer(), size);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] varint(long v) {
        byte[] b = new byte[Coding.varintLength(v)];
        Coding.putVarint(b, 0, v);
        return b;
    }

    /** Writes contents buf[0, size) and its trailer; buf has room for the trailer after size. */
    private BlockHandle writeBlock(byte[] buf, int size) {
        crc.reset();
        crc.update(buf, 0, size);
        crc.update(TableFormat.COMPRESSION_NONE);
        buf[size] = TableFormat.COMPRESSION_NONE;
        Coding.putInt(buf, size + 1, (int) crc.getValue());
        long start = offset;
        append(buf, size + TableFormat.BLOCK_TRAILER_SIZE);
        return new BlockHandle(start, size);
    }

    /** writeBlock for contents in an array without spare room. */
    private BlockHandle writeRawBlock(byte[] contents, int size) {
        byte[] buf = Arrays.copyOf(contents, size + TableFormat.BLOCK_TRAILER_SIZE);
        return writeBlock(buf, size);
    }

    private void append(byte[] buf, int len) {
        try {
            out.append(ByteBuffer.wrap(buf, 0, len));
        } catch (IOException e) {
            state = State.FAILED;
            throw StorageException.io("writing table " + fileName + " at offset " + offset, e);
        }
        offset += len;
    }
}

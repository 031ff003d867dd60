package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;

/**
 * The verified contents of one block, immutable once built and therefore shared freely between
 * threads through the {@link BlockCache}. Construction checks the restart array (count, bounds,
 * order) so a {@link BlockCursor} can trust it; the entries themselves are checked as they are
 * decoded.
 *
 * <p>The backing array may be longer than the contents (a block read from disk keeps its trailer
 * bytes behind them); {@link #restartsOffset} marks where the entries end.
 */
final class Block {

    /** Rough per-block heap cost beyond the array: the Block, its cache node and key. */
    private static final int OVERHEAD_BYTES = 128;

    final byte[] data;
    /** Offset of the restart array, which is also the end of the entries. */
    final int restartsOffset;
    final int restartCount;
    final String fileName;
    /** Where the block starts in its file; named in corruption messages. */
    final long fileOffset;
    final BlockKind kind;

    private Block(byte[] data, int restartsOffset, int restartCount, String fileName, long fileOffset, BlockKind kind) {
        this.data = data;
        this.restartsOffset = restartsOffset;
        this.restartCount = restartCount;
        this.fileName = fileName;
        this.fileOffset = fileOffset;
        this.kind = kind;
    }

    /** Checks the restart array of the contents data[0, length) and wraps them. */
    static Block decode(byte[] data, int length, String fileName, long fileOffset, BlockKind kind) {
        if (length < 4 || length > data.length) {
            throw corrupt(fileName, fileOffset, kind, "block of " + length + " bytes cannot hold a restart count");
        }
        long count = Coding.getInt(data, length - 4) & 0xFFFFFFFFL;
        if (count > (length - 4) / 4) {
            throw corrupt(fileName, fileOffset, kind, "restart count " + count + " does not fit in " + length + " bytes");
        }
        int restartsOffset = length - 4 - 4 * (int) count;
        if (count == 0 && restartsOffset != 0) {
            throw corrupt(fileName, fileOffset, kind, "no restart points but " + restartsOffset + " bytes of entries");
        }
        int prev = -1;
        for (int i = 0; i < count; i++) {
            int r = Coding.getInt(data, restartsOffset + 4 * i);
            if (i == 0 ? r != 0 : (r <= prev || r >= restartsOffset)) {
                throw corrupt(fileName, fileOffset, kind, "restart point " + i + " at " + Integer.toUnsignedString(r)
                        + " out of order or outside the " + restartsOffset + " bytes of entries");
            }
            prev = r;
        }
        if (count > 0 && restartsOffset == 0) {
            throw corrupt(fileName, fileOffset, kind, "restart points but no entries");
        }
        return new Block(data, restartsOffset, (int) count, fileName, fileOffset, kind);
    }

    int restart(int i) {
        return Coding.getInt(data, restartsOffset + 4 * i);
    }

    /** Bytes this block holds on the heap, as charged by the cache. */
    int charge() {
        return data.length + OVERHEAD_BYTES;
    }

    CorruptionException corrupt(String what) {
        return corrupt(fileName, fileOffset, kind, what);
    }

    static CorruptionException corrupt(String fileName, long fileOffset, BlockKind kind, String what) {
        return new CorruptionException(fileName, fileOffset, kind.label() + " at offset " + fileOffset + ": " + what);
    }
}

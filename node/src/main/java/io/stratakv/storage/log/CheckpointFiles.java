package io.stratakv.storage.log;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The two small files beside the segments, each replaced whole and atomically (see LOG_FORMAT.md):
 *
 * <pre>
 *   leader-epochs:     u32 magic "SKVE" | u32 version | u32 count | count × (u64 epoch, u64 startOffset) | u32 crc32c
 *   log-start-offset:  u32 magic "SKVS" | u32 version | u64 logStartOffset | u32 crc32c
 * </pre>
 *
 * The crc32c covers every byte before it. Decoders throw only CorruptionException.
 */
final class CheckpointFiles {

    static final String EPOCH_FILE = "leader-epochs";
    static final String START_FILE = "log-start-offset";
    static final String TEMP_SUFFIX = ".tmp";

    static final int EPOCH_MAGIC = 0x534B5645; // "SKVE"
    static final int START_MAGIC = 0x534B5653; // "SKVS"
    static final int VERSION = 1;

    private static final int EPOCH_FIXED_BYTES = 4 + 4 + 4 + 4;
    private static final int EPOCH_ENTRY_BYTES = 16;
    private static final int START_BYTES = 4 + 4 + 8 + 4;

    private CheckpointFiles() {
    }

    static byte[] encodeEpochs(EpochHistory history) {
        List<EpochEntry> entries = history.entries();
        byte[] b = new byte[EPOCH_FIXED_BYTES + entries.size() * EPOCH_ENTRY_BYTES];
        Coding.putInt(b, 0, EPOCH_MAGIC);
        Coding.putInt(b, 4, VERSION);
        Coding.putInt(b, 8, entries.size());
        int at = 12;
        for (EpochEntry e : entries) {
            Coding.putLong(b, at, e.epoch());
            Coding.putLong(b, at + 8, e.startOffset());
            at += EPOCH_ENTRY_BYTES;
        }
        Coding.putInt(b, at, crc(b, at));
        return b;
    }

    static EpochHistory decodeEpochs(String file, byte[] b) {
        checkFrame(file, b, EPOCH_FIXED_BYTES, EPOCH_MAGIC);
        int count = Coding.getInt(b, 8);
        // Check the count against the bytes there before building anything from it.
        if (count < 0 || (long) count * EPOCH_ENTRY_BYTES != b.length - EPOCH_FIXED_BYTES) {
            throw new CorruptionException(file, 8, "epoch count " + count + " does not match file size " + b.length);
        }
        List<EpochEntry> entries = new ArrayList<>(count);
        for (int i = 0, at = 12; i < count; i++, at += EPOCH_ENTRY_BYTES) {
            entries.add(new EpochEntry(Coding.getLong(b, at), Coding.getLong(b, at + 8)));
        }
        try {
            return new EpochHistory(entries);
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, 12, "epoch entries invalid (" + e.getMessage() + ")");
        }
    }

    static byte[] encodeStart(long logStartOffset) {
        byte[] b = new byte[START_BYTES];
        Coding.putInt(b, 0, START_MAGIC);
        Coding.putInt(b, 4, VERSION);
        Coding.putLong(b, 8, logStartOffset);
        Coding.putInt(b, 16, crc(b, 16));
        return b;
    }

    static long decodeStart(String file, byte[] b) {
        checkFrame(file, b, START_BYTES, START_MAGIC);
        if (b.length != START_BYTES) {
            throw new CorruptionException(file, 0, "log start file has " + b.length + " bytes, expected " + START_BYTES);
        }
        long start = Coding.getLong(b, 8);
        if (start < 0) {
            throw new CorruptionException(file, 8, "negative log start offset " + start);
        }
        return start;
    }

    private static void checkFrame(String file, byte[] b, int minBytes, int magic) {
        if (b.length < minBytes) {
            throw new CorruptionException(file, 0, "file too short (" + b.length + " bytes)");
        }
        int crcAt = b.length - 4;
        if (Coding.getInt(b, crcAt) != crc(b, crcAt)) {
            throw new CorruptionException(file, crcAt, "checksum mismatch");
        }
        if (Coding.getInt(b, 0) != magic) {
            throw new CorruptionException(file, 0, String.format("bad magic 0x%08x", Coding.getInt(b, 0)));
        }
        if (Coding.getInt(b, 4) != VERSION) {
            throw new CorruptionException(file, 4, "unsupported version " + Coding.getInt(b, 4));
        }
    }

    private static int crc(byte[] b, int len) {
        CRC32C c = new CRC32C();
        c.update(b, 0, len);
        return (int) c.getValue();
    }

    /**
     * A failed {@link #writeAtomically}: whether the target may already have been replaced (the
     * rename or the directory sync failed) or is certainly untouched (the temp file failed).
     */
    static final class WriteFailure extends IOException {
        final boolean targetMayHaveChanged;

        WriteFailure(String message, boolean targetMayHaveChanged, IOException cause) {
            super(message + ": " + cause.getMessage(), cause);
            this.targetMayHaveChanged = targetMayHaveChanged;
        }
    }

    /**
     * Temp file, fsync, rename over the target, fsync the directory: after a crash the target holds
     * the old contents or the new, whole. Unlike StorageFs.writeAtomically it says which phase failed,
     * so a full disk while writing the temp file leaves the log usable.
     */
    static void writeAtomically(StorageFs fs, Path file, byte[] contents) throws WriteFailure {
        Path tmp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        try (WritableFile out = fs.create(tmp)) {
            out.append(ByteBuffer.wrap(contents));
            out.sync();
        } catch (IOException e) {
            try {
                fs.delete(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new WriteFailure("writing " + tmp, false, e);
        }
        try {
            fs.rename(tmp, file);
            fs.syncDir(file.getParent());
        } catch (IOException e) {
            throw new WriteFailure("renaming " + tmp + " over " + file.getFileName() + " durably", true, e);
        }
    }
}

package io.stratakv.storage.log;

import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.StorageFs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates an empty log that starts at a given offset in a given leader epoch: the log of a split
 * child, whose first offset is the one after its parent's split entry (storage/ENGINE.md, "Split
 * entry"). It writes only the two small files of LOG_FORMAT.md, each atomically: {@code log-start-offset}
 * and {@code leader-epochs} with the one entry {@code (epoch, startOffset)}; the first open creates
 * the empty segment named after the start. Opened, the log has start = end = startOffset and
 * latest epoch = epoch (an epoch entry starting exactly at the end is kept, LOG_FORMAT.md step 6),
 * so an election sees every child replica at {@code (epoch, startOffset)}.
 */
public final class LogSeed {

    private LogSeed() {
    }

    /** dir must not hold a log yet (it is created if absent). */
    public static void create(StorageFs fs, Path dir, long startOffset, long epoch) {
        if (startOffset < 0 || epoch < 0) {
            throw new IllegalArgumentException("start offset " + startOffset + " and epoch " + epoch + " must be ≥ 0");
        }
        try {
            fs.createDirectories(dir);
            CheckpointFiles.writeAtomically(fs, dir.resolve(CheckpointFiles.START_FILE),
                    CheckpointFiles.encodeStart(startOffset));
            CheckpointFiles.writeAtomically(fs, dir.resolve(CheckpointFiles.EPOCH_FILE),
                    CheckpointFiles.encodeEpochs(new EpochHistory(List.of(new EpochEntry(epoch, startOffset)))));
        } catch (IOException e) {
            throw StorageException.io("seeding log " + dir + " at offset " + startOffset, e);
        }
    }
}

package io.stratakv.node.replica;

import io.stratakv.node.replication.SnapshotStream;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.log.PartitionLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Puts a received snapshot in place of a partition directory so that a crash at any point leaves
 * either the old store or the new one, whole (SNAPSHOT_FORMAT.md, "Installing").
 *
 * <p>The partition directory {@code P} (log/ and lsm/ inside) gets two siblings: {@code P.snapshot-staging}
 * where the stream is written, and {@code P.snapshot-replaced} where the old store waits for deletion.
 * Staging is complete only once its marker file exists, written last after everything in it is
 * durable and the staged store opened and matched the stream's header. Install is two directory
 * renames, each made durable before the next step: P to replaced, staging to P. {@link #recover}
 * (run before the store is opened, at every open) finishes or undoes a cut-short install:
 * <ul>
 *   <li>staging without marker: deleted (the old store stays);</li>
 *   <li>staging with marker and P present: the first rename never happened; staging deleted (old store);</li>
 *   <li>staging with marker and P absent: the crash fell between the renames; staging becomes P (new store);</li>
 *   <li>replaced with P present: deleted; replaced without P and without staging: renamed back (old store).</li>
 * </ul>
 * Directory operations go to the operating system (java.nio); every rename is followed by an fsync
 * of the parent directory. The marker stays in the installed directory: it names the snapshot's
 * offset and epoch ({@link Base}).
 */
public final class SnapshotInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotInstaller.class);

    static final String STAGING_SUFFIX = ".snapshot-staging";
    static final String REPLACED_SUFFIX = ".snapshot-replaced";
    static final String COMPLETE_MARKER = "SNAPSHOT-COMPLETE";

    /** Points an install passes; a test hook may throw at one to play a process crash there. */
    public enum Step { STAGED, OLD_MOVED_ASIDE, NEW_MOVED_IN, OLD_DELETED }

    private SnapshotInstaller() {
    }

    static Path staging(Path partitionDir) {
        return partitionDir.resolveSibling(partitionDir.getFileName() + STAGING_SUFFIX);
    }

    static Path replaced(Path partitionDir) {
        return partitionDir.resolveSibling(partitionDir.getFileName() + REPLACED_SUFFIX);
    }

    /** A fresh, empty staging directory (leftovers deleted) with an empty lsm/ inside; returns lsm/. */
    static Path beginStaging(Path partitionDir) throws IOException {
        Path s = staging(partitionDir);
        deleteTree(s);
        Files.createDirectories(s.resolve("lsm"));
        syncDir(s);
        syncDir(s.getParent());
        return s.resolve("lsm");
    }

    /**
     * Completes staging once the stream's files are in staging/lsm: an empty log starting after
     * the snapshot offset (its epoch file naming the snapshot's epoch), then a trial open of the
     * staged store that must find exactly the header's offset, then the marker. Throws if the
     * staged store does not match; the caller discards it.
     */
    static void completeStaging(Path partitionDir, SnapshotStream.Header h, StoreOptions options) throws IOException {
        Path s = staging(partitionDir);
        long start = h.snapshotOffset() + 1;
        PartitionLog.createEmpty(RealFs.INSTANCE, s.resolve("log"), start, h.snapshotOffset() >= 0 ? h.snapshotEpoch() : -1);
        try (PartitionStore trial = PartitionStore.open(RealFs.INSTANCE, s, options, null, null, false)) {
            long persisted = trial.tree().persistedLogOffset();
            if (persisted != h.snapshotOffset() || trial.log().startOffset() != start || trial.log().endOffset() != start) {
                throw new CorruptionException(s.toString(), 0, "the staged snapshot holds entries up to " + persisted
                        + " with log [" + trial.log().startOffset() + ", " + trial.log().endOffset()
                        + ") but its header says offset " + h.snapshotOffset());
            }
        }
        String marker = "offset=" + h.snapshotOffset() + "\nepoch=" + h.snapshotEpoch() + "\nleaderEpoch="
                + h.leaderEpoch() + "\n";
        RealFs.INSTANCE.writeAtomically(s.resolve(COMPLETE_MARKER), marker.getBytes(StandardCharsets.UTF_8));
        syncDir(s);
    }

    /** Deletes staging (a failed or abandoned transfer). */
    static void discardStaging(Path partitionDir) {
        try {
            deleteTree(staging(partitionDir));
        } catch (IOException e) {
            LOG.warn("could not delete {}; the next open will", staging(partitionDir), e);
        }
    }

    /**
     * Swaps the completed staging directory in for partitionDir, whose store must be closed.
     * hook sees every step (tests throw from it to cut the install short).
     */
    static void install(Path partitionDir, Consumer<Step> hook) throws IOException {
        Path s = staging(partitionDir);
        Path r = replaced(partitionDir);
        if (!Files.exists(s.resolve(COMPLETE_MARKER))) {
            throw new StorageException(StorageErrorCode.INVALID_ARGUMENT, "no complete snapshot staged at " + s);
        }
        hook.accept(Step.STAGED);
        deleteTree(r);
        Files.move(partitionDir, r, StandardCopyOption.ATOMIC_MOVE);
        syncDir(partitionDir.getParent());
        hook.accept(Step.OLD_MOVED_ASIDE);
        Files.move(s, partitionDir, StandardCopyOption.ATOMIC_MOVE);
        syncDir(partitionDir.getParent());
        hook.accept(Step.NEW_MOVED_IN);
        deleteTree(r);
        syncDir(partitionDir.getParent());
        hook.accept(Step.OLD_DELETED);
    }

    /**
     * Finishes or undoes an install a crash cut short (rules in the class comment). Call before
     * opening the store in partitionDir. Returns what it did, for the log ("" if nothing).
     */
    public static String recover(Path partitionDir) throws IOException {
        Path s = staging(partitionDir);
        Path r = replaced(partitionDir);
        String did = "";
        if (Files.exists(s)) {
            boolean complete = Files.exists(s.resolve(COMPLETE_MARKER));
            if (complete && !Files.exists(partitionDir)) {
                Files.move(s, partitionDir, StandardCopyOption.ATOMIC_MOVE);
                syncDir(partitionDir.getParent());
                did = "installed the staged snapshot (the crash fell between the renames)";
            } else {
                deleteTree(s);
                did = complete ? "dropped a staged snapshot that was never swapped in"
                        : "dropped an incomplete staged snapshot";
            }
        }
        if (Files.exists(r)) {
            if (Files.exists(partitionDir)) {
                deleteTree(r);
                did += (did.isEmpty() ? "" : "; ") + "deleted the replaced store";
            } else {
                Files.move(r, partitionDir, StandardCopyOption.ATOMIC_MOVE);
                did += (did.isEmpty() ? "" : "; ") + "put the replaced store back";
            }
        }
        if (!did.isEmpty()) {
            syncDir(partitionDir.getParent());
            LOG.warn("partition directory {}: an interrupted snapshot install: {}", partitionDir, did);
        }
        return did;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException ignored) {
                    // gone already
                }
            }
        }
    }

    static void syncDir(Path dir) throws IOException {
        RealFs.INSTANCE.syncDir(dir);
    }

    /**
     * The snapshot a store was installed from, kept as its marker file in the partition directory:
     * the store's log continued at offset + 1 and the entry at offset was written in epoch. A log
     * that starts exactly there can still name the epoch its first entry follows, which its epoch
     * file forgets as soon as a new epoch starts at that same offset.
     */
    record Base(long offset, long epoch) {
    }

    /** The base of the store in partitionDir, or null if it was never installed from a snapshot. */
    static Base readBase(Path partitionDir) throws IOException {
        Path m = partitionDir.resolve(COMPLETE_MARKER);
        if (!Files.exists(m)) {
            return null;
        }
        long offset = Long.MIN_VALUE;
        long epoch = Long.MIN_VALUE;
        try (InputStream in = Files.newInputStream(m)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("offset=")) {
                    offset = Long.parseLong(line.substring(7));
                } else if (line.startsWith("epoch=")) {
                    epoch = Long.parseLong(line.substring(6));
                }
            }
        } catch (NumberFormatException e) {
            throw new CorruptionException(m.toString(), 0, "unreadable snapshot marker: " + e.getMessage());
        }
        if (offset == Long.MIN_VALUE || epoch == Long.MIN_VALUE) {
            throw new CorruptionException(m.toString(), 0, "snapshot marker without offset or epoch");
        }
        return new Base(offset, epoch);
    }
}

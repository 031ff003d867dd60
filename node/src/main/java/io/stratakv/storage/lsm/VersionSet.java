package io.stratakv.storage.lsm;

import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.StorageFs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The current {@link Version} and the counters that go with it, kept in step with the manifest.
 *
 * <p>Invariants: a version is installed only after the edit that produced it is durable in the
 * manifest; {@code nextFileNumber} is always above every file number ever used; the persisted
 * applied log offset only grows. All mutators hold this object's monitor; {@link #retainCurrent()}
 * is lock-free for readers.
 */
final class VersionSet implements AutoCloseable {

    static final int LEVELS = 7;
    /** A manifest past this size is rewritten as a snapshot at the next edit. */
    private static final long MAX_MANIFEST_BYTES = 4L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(VersionSet.class);

    private final StorageFs fs;
    private final Path dir;
    private final TableCache tables;
    private final Manifest manifest;
    private volatile Version current;
    private long nextFileNumber = 1;
    private long lastSequence;
    private long appliedLogOffset = -1;
    /** Per level ≥ 1, the largest user key of the last compaction there, to rotate through the keyspace. */
    final byte[][] compactPointer = new byte[LEVELS][];

    VersionSet(StorageFs fs, Path dir, TableCache tables) {
        this.fs = fs;
        this.dir = dir;
        this.tables = tables;
        this.manifest = new Manifest(fs, dir);
    }

    /** Loads the state CURRENT names, or creates an empty database; removes files nothing references. */
    synchronized void recover() {
        String currentName = Manifest.readCurrent(fs, dir);
        List<List<FileMeta>> levels = emptyLevels();
        if (currentName != null) {
            Map<Long, FileMeta> live = new HashMap<>();
            Map<Long, Integer> levelOf = new HashMap<>();
            Path mf = dir.resolve(currentName);
            if (!fs.exists(mf)) {
                throw new CorruptionException(mf.toString(), 0, "CURRENT names a manifest that does not exist");
            }
            for (VersionEdit e : Manifest.readAll(fs, mf)) {
                if (e.nextFileNumber >= 0) {
                    nextFileNumber = e.nextFileNumber;
                }
                if (e.lastSequence >= 0) {
                    lastSequence = e.lastSequence;
                }
                if (e.appliedLogOffset != Long.MIN_VALUE) {
                    appliedLogOffset = e.appliedLogOffset;
                }
                for (VersionEdit.DeletedFile d : e.deleted) {
                    live.remove(d.number());
                    levelOf.remove(d.number());
                }
                for (VersionEdit.NewFile n : e.added) {
                    live.put(n.file().number, n.file());
                    levelOf.put(n.file().number, n.level());
                }
            }
            for (Map.Entry<Long, FileMeta> f : live.entrySet()) {
                int level = levelOf.get(f.getKey());
                if (level >= LEVELS) {
                    throw new CorruptionException(mf.toString(), 0, "file " + f.getKey() + " at level " + level);
                }
                Path p = tables.path(f.getKey());
                if (!fs.exists(p)) {
                    throw new CorruptionException(p.toString(), 0, "table named by the manifest is missing");
                }
                levels.get(level).add(f.getValue());
                nextFileNumber = Math.max(nextFileNumber, f.getKey() + 1);
            }
        }
        sortLevels(levels);
        if (currentName != null) {
            try {
                checkLevels(levels);
            } catch (IllegalStateException e) {
                throw new CorruptionException(dir.resolve(currentName).toString(), 0, e.getMessage());
            }
        }
        current = new Version(levels, this::fileUnreferenced);
        // Always start a fresh manifest: nothing is ever appended after a possibly torn record.
        long number = nextFileNumber++;
        manifest.create(number, snapshotEdit(current));
        removeObsoleteFiles();
        LOG.info("opened LSM tree {}: {} lastSequence={} appliedLogOffset={}", dir, current, lastSequence, appliedLogOffset);
    }

    private void removeObsoleteFiles() {
        Set<Long> live = new HashSet<>();
        for (List<FileMeta> l : current.levels) {
            for (FileMeta f : l) {
                live.add(f.number);
            }
        }
        try {
            for (String name : fs.list(dir)) {
                boolean obsolete = false;
                if (name.endsWith(".sst")) {
                    try {
                        obsolete = !live.contains(Long.parseLong(name.substring(0, name.length() - 4)));
                    } catch (NumberFormatException e) {
                        obsolete = false;
                    }
                } else if (name.startsWith(Manifest.PREFIX)) {
                    obsolete = !name.equals(Manifest.fileName(manifest.number()));
                } else if (name.endsWith(".tmp")) {
                    obsolete = true;
                }
                if (obsolete) {
                    LOG.info("removing obsolete file {}/{}", dir, name);
                    fs.delete(dir.resolve(name));
                }
            }
            fs.syncDir(dir);
        } catch (IOException e) {
            throw StorageException.io("removing obsolete files in " + dir, e);
        }
    }

    private void fileUnreferenced(FileMeta f) {
        tables.evict(f.number);
        try {
            fs.delete(tables.path(f.number));
        } catch (IOException e) {
            LOG.warn("could not delete obsolete table {}: {}", tables.path(f.number), e.toString());
        }
    }

    static List<List<FileMeta>> emptyLevels() {
        List<List<FileMeta>> levels = new ArrayList<>(LEVELS);
        for (int i = 0; i < LEVELS; i++) {
            levels.add(new ArrayList<>());
        }
        return levels;
    }

    private static void sortLevels(List<List<FileMeta>> levels) {
        levels.get(0).sort(Comparator.comparingLong((FileMeta f) -> f.number).reversed());
        for (int i = 1; i < levels.size(); i++) {
            levels.get(i).sort((a, b) -> InternalKey.compare(a.smallest, b.smallest));
        }
    }

    private VersionEdit snapshotEdit(Version v) {
        VersionEdit e = new VersionEdit();
        e.levelCount = LEVELS;
        e.nextFileNumber = nextFileNumber;
        e.lastSequence = lastSequence;
        e.appliedLogOffset = appliedLogOffset;
        for (int level = 0; level < v.levelCount(); level++) {
            for (FileMeta f : v.files(level)) {
                e.addFile(level, f);
            }
        }
        return e;
    }

    synchronized long newFileNumber() {
        return nextFileNumber++;
    }

    Version current() {
        return current;
    }

    /** The current version, pinned: callers must {@link Version#release()} it. */
    Version retainCurrent() {
        while (true) {
            Version v = current;
            if (v.tryRetain()) {
                return v;
            }
        }
    }

    synchronized long lastSequence() {
        return lastSequence;
    }

    synchronized long appliedLogOffset() {
        return appliedLogOffset;
    }

    /**
     * Makes edit durable in the manifest, then installs the version it produces. On failure nothing
     * changes in memory, but the edit may still be on disk (a failed fsync does not undo the write), so
     * its new files must not be deleted: the next open removes them if the manifest does not name them.
     */
    synchronized Version logAndApply(VersionEdit edit) {
        Version base = current;
        List<List<FileMeta>> levels = new ArrayList<>();
        for (int i = 0; i < LEVELS; i++) {
            levels.add(new ArrayList<>(base.files(i)));
        }
        for (VersionEdit.DeletedFile d : edit.deleted) {
            boolean removed = levels.get(d.level()).removeIf(f -> f.number == d.number());
            if (!removed) {
                throw new IllegalStateException("edit deletes file " + d.number() + " not at level " + d.level());
            }
        }
        for (VersionEdit.NewFile n : edit.added) {
            levels.get(n.level()).add(n.file());
        }
        sortLevels(levels);
        checkLevels(levels);
        long newLastSequence = Math.max(lastSequence, edit.lastSequence);
        long newApplied = edit.appliedLogOffset == Long.MIN_VALUE ? appliedLogOffset : Math.max(appliedLogOffset, edit.appliedLogOffset);
        edit.nextFileNumber = nextFileNumber;
        edit.lastSequence = newLastSequence;
        edit.appliedLogOffset = newApplied;
        Version next = new Version(levels, this::fileUnreferenced);
        try {
            if (manifest.needsRoll(MAX_MANIFEST_BYTES)) {
                long saveLast = lastSequence;
                long saveApplied = appliedLogOffset;
                lastSequence = newLastSequence;
                appliedLogOffset = newApplied;
                long number = nextFileNumber++;
                try {
                    manifest.create(number, snapshotEdit(next));
                } catch (RuntimeException e) {
                    lastSequence = saveLast;
                    appliedLogOffset = saveApplied;
                    throw e;
                }
            } else {
                manifest.append(edit);
            }
        } catch (RuntimeException e) {
            next.abandon();
            throw e;
        }
        lastSequence = newLastSequence;
        appliedLogOffset = newApplied;
        current = next;
        base.release();
        return next;
    }

    /** Levels ≥ 1 must be disjoint in user keys: a violation would return old versions (leveldb #320). */
    private static void checkLevels(List<List<FileMeta>> levels) {
        for (int level = 1; level < levels.size(); level++) {
            List<FileMeta> files = levels.get(level);
            for (int i = 1; i < files.size(); i++) {
                if (InternalKey.compareUserKey(files.get(i - 1).largest, InternalKey.userKey(files.get(i).smallest)) >= 0) {
                    throw new IllegalStateException("overlapping files at level " + level + ": "
                            + files.get(i - 1) + " and " + files.get(i));
                }
            }
        }
    }

    /** Writes a standalone manifest + CURRENT describing version v into another directory (checkpoints). */
    synchronized void writeSnapshotTo(StorageFs targetFs, Path target, Version v) {
        Manifest m = new Manifest(targetFs, target);
        VersionEdit e = snapshotEdit(v);
        m.create(1, e);
        m.close();
    }

    @Override
    public synchronized void close() {
        manifest.close();
    }
}

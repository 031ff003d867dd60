package io.stratakv.storage.lsm;

import io.stratakv.storage.sstable.TableReader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An immutable set of SSTables by level, as of one manifest state.
 *
 * <p>Invariants: level 0 is ordered newest first (higher file number = newer data); every level ≥ 1
 * is ordered by key and its files' user-key ranges are disjoint. For any user key, a version in a
 * lower-numbered level (or a newer L0 file) is newer than any in a higher-numbered one.
 *
 * <p>Lifetime: readers pin a version with {@link #tryRetain()} and {@link #release()}; when the
 * count reaches zero the version lets go of its files, and files no live version holds are deleted.
 * A count that reached zero never rises again, so a reader that loses the race simply retries with
 * the newer version.
 */
final class Version {

    final List<List<FileMeta>> levels;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final Consumer<FileMeta> onFileUnreferenced;

    Version(List<List<FileMeta>> levels, Consumer<FileMeta> onFileUnreferenced) {
        List<List<FileMeta>> copy = new ArrayList<>(levels.size());
        for (List<FileMeta> l : levels) {
            copy.add(Collections.unmodifiableList(new ArrayList<>(l)));
        }
        this.levels = Collections.unmodifiableList(copy);
        this.onFileUnreferenced = onFileUnreferenced;
        for (List<FileMeta> l : this.levels) {
            for (FileMeta f : l) {
                f.refs.incrementAndGet();
            }
        }
    }

    int levelCount() {
        return levels.size();
    }

    List<FileMeta> files(int level) {
        return levels.get(level);
    }

    boolean tryRetain() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) {
                return false;
            }
        } while (!refs.compareAndSet(r, r + 1));
        return true;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            for (List<FileMeta> l : levels) {
                for (FileMeta f : l) {
                    if (f.refs.decrementAndGet() == 0) {
                        onFileUnreferenced.accept(f);
                    }
                }
            }
        }
    }

    /**
     * Drops a version that was never installed without deleting any file: its edit may have reached
     * the manifest even though writing it failed, so its new files are left for the next open to judge.
     */
    void abandon() {
        if (refs.decrementAndGet() == 0) {
            for (List<FileMeta> l : levels) {
                for (FileMeta f : l) {
                    f.refs.decrementAndGet();
                }
            }
        }
    }

    long levelBytes(int level) {
        long sum = 0;
        for (FileMeta f : levels.get(level)) {
            sum += f.size;
        }
        return sum;
    }

    long totalBytes() {
        long sum = 0;
        for (int i = 0; i < levels.size(); i++) {
            sum += levelBytes(i);
        }
        return sum;
    }

    /** The newest entry of userKey with sequence ≤ snapshot in this version's files, or null. */
    TableReader.Entry get(byte[] userKey, long snapshot, TableCache tables) {
        // The bloom hash is computed once, for the first table whose range holds the key.
        long hash = 0;
        boolean hashed = false;
        for (FileMeta f : levels.get(0)) {
            if (f.containsUserKey(userKey)) {
                if (!hashed) {
                    hash = TableReader.keyHash(userKey);
                    hashed = true;
                }
                TableReader.Entry e = tables.get(f).get(userKey, hash, snapshot);
                if (e != null) {
                    return e;
                }
            }
        }
        for (int level = 1; level < levels.size(); level++) {
            List<FileMeta> files = levels.get(level);
            int i = findFile(files, userKey);
            if (i < files.size() && InternalKey.compareUserKey(files.get(i).smallest, userKey) <= 0) {
                if (!hashed) {
                    hash = TableReader.keyHash(userKey);
                    hashed = true;
                }
                TableReader.Entry e = tables.get(files.get(i)).get(userKey, hash, snapshot);
                if (e != null) {
                    return e;
                }
            }
        }
        return null;
    }

    /** Index of the first file in a sorted level whose largest user key is ≥ userKey. */
    static int findFile(List<FileMeta> files, byte[] userKey) {
        int lo = 0;
        int hi = files.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.compareUserKey(files.get(mid).largest, userKey) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Files of level whose user-key range intersects [smallestUser, largestUser]. */
    List<FileMeta> overlapping(int level, byte[] smallestUser, byte[] largestUser) {
        List<FileMeta> out = new ArrayList<>();
        for (FileMeta f : levels.get(level)) {
            if (f.overlapsUserRange(smallestUser, largestUser)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * True if no file in a level deeper than level may hold userKey: a tombstone compacted into
     * level may then be dropped, because there is nothing older below it to hide.
     */
    boolean isBaseLevelForKey(int level, byte[] userKey) {
        for (int l = level + 1; l < levels.size(); l++) {
            List<FileMeta> files = levels.get(l);
            int i = findFile(files, userKey);
            if (i < files.size() && InternalKey.compareUserKey(files.get(i).smallest, userKey) <= 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Version{");
        for (int i = 0; i < levels.size(); i++) {
            if (!levels.get(i).isEmpty()) {
                sb.append(" L").append(i).append('=').append(levels.get(i));
            }
        }
        return sb.append(" }").toString();
    }
}

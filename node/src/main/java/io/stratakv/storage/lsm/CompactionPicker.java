package io.stratakv.storage.lsm;

import io.stratakv.storage.StoreOptions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Chooses what to compact (leveled compaction, as LevelDB): the level whose score (L0: file count
 * over its trigger; others: bytes over the level's target) is highest and at least 1. Files already
 * in a running compaction are never chosen again, nor are picks whose overlaps are busy, so
 * concurrent compactions never touch the same key range.
 */
final class CompactionPicker {

    private final StoreOptions options;

    CompactionPicker(StoreOptions options) {
        this.options = options;
    }

    long maxBytesForLevel(int level) {
        long bytes = options.levelBaseBytes();
        for (int l = 1; l < level; l++) {
            bytes *= options.levelMultiplier();
        }
        return bytes;
    }

    double score(Version v, int level) {
        if (level == 0) {
            return (double) v.files(0).size() / options.l0CompactionTrigger();
        }
        return (double) v.levelBytes(level) / maxBytesForLevel(level);
    }

    /** The most urgent compaction that does not touch busy files, or null. Caller holds the state lock. */
    Compaction pick(Version v, Set<Long> busy, byte[][] compactPointer) {
        List<Integer> levels = new ArrayList<>();
        for (int level = 0; level < v.levelCount() - 1; level++) {
            if (score(v, level) >= 1.0) {
                levels.add(level);
            }
        }
        levels.sort(Comparator.comparingDouble((Integer l) -> score(v, l)).reversed());
        for (int level : levels) {
            Compaction c = level == 0 ? pickLevel0(v, busy) : pickLevel(v, level, busy, compactPointer);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** Every file of level plus its overlaps one level down, if none is busy (manual compaction). */
    Compaction pickWholeLevel(Version v, int level, Set<Long> busy) {
        List<FileMeta> inputs = v.files(level);
        if (inputs.isEmpty() || level >= v.levelCount() - 1) {
            return null;
        }
        return withOverlaps(v, level, new ArrayList<>(inputs), busy);
    }

    private Compaction pickLevel0(Version v, Set<Long> busy) {
        return withOverlaps(v, 0, new ArrayList<>(v.files(0)), busy);
    }

    private Compaction pickLevel(Version v, int level, Set<Long> busy, byte[][] compactPointer) {
        List<FileMeta> files = v.files(level);
        int start = 0;
        if (compactPointer[level] != null) {
            start = Version.findFile(files, compactPointer[level]);
            // findFile gives the first file whose largest ≥ pointer; begin after the pointer's file.
            while (start < files.size() && InternalKey.compareUserKey(files.get(start).largest, compactPointer[level]) <= 0) {
                start++;
            }
        }
        for (int i = 0; i < files.size(); i++) {
            FileMeta f = files.get((start + i) % files.size());
            Compaction c = withOverlaps(v, level, new ArrayList<>(List.of(f)), busy);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private static Compaction withOverlaps(Version v, int level, List<FileMeta> inputs, Set<Long> busy) {
        if (inputs.stream().anyMatch(f -> busy.contains(f.number))) {
            return null;
        }
        byte[] lo = null;
        byte[] hi = null;
        for (FileMeta f : inputs) {
            byte[] s = InternalKey.userKey(f.smallest);
            byte[] l = InternalKey.userKey(f.largest);
            if (lo == null || java.util.Arrays.compareUnsigned(s, lo) < 0) {
                lo = s;
            }
            if (hi == null || java.util.Arrays.compareUnsigned(l, hi) > 0) {
                hi = l;
            }
        }
        List<FileMeta> overlaps = v.overlapping(level + 1, lo, hi);
        if (overlaps.stream().anyMatch(f -> busy.contains(f.number))) {
            return null;
        }
        if (!v.tryRetain()) {
            return null;
        }
        return new Compaction(level, inputs, overlaps, v);
    }
}

package io.stratakv.storage.lsm;

import java.util.ArrayList;
import java.util.List;

/**
 * One chosen compaction: {@code inputs} of {@code level} merged with the overlapping {@code overlaps}
 * of {@code level + 1}, written to {@code level + 1}. Holds a pin on the version it was chosen from.
 */
record Compaction(int level, List<FileMeta> inputs, List<FileMeta> overlaps, Version version) {

    int outputLevel() {
        return level + 1;
    }

    /** A single file with nothing to merge against moves down by a manifest edit alone. */
    boolean isTrivialMove() {
        return inputs.size() == 1 && overlaps.isEmpty();
    }

    List<FileMeta> allFiles() {
        List<FileMeta> all = new ArrayList<>(inputs);
        all.addAll(overlaps);
        return all;
    }

    long inputBytes() {
        long sum = 0;
        for (FileMeta f : allFiles()) {
            sum += f.size;
        }
        return sum;
    }
}

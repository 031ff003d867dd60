package io.stratakv.storage.lsm;

import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint: a directory that is itself a complete LSM tree (hard links of the live tables, a
 * manifest and CURRENT) holding every write up to and including log offset {@code appliedLogOffset}.
 */
public record CheckpointInfo(Path dir, long appliedLogOffset, long lastSequence, List<String> files, long bytes) {
}

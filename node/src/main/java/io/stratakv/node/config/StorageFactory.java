package io.stratakv.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.log.FsyncPolicy;
import jakarta.validation.constraints.NotNull;

/**
 * Engine settings, under {@code storage:} in YAML. The block cache is one for the whole node, shared
 * by all its partition replicas. Memtables have two limits: {@code memtableSize} caps each replica's
 * own, and {@code memtableBudget} caps what all replicas of the node hold together (the largest is
 * flushed early when the sum gets near it; see {@code MemtableBudget}).
 */
public class StorageFactory {

    /** When the log fsyncs: ALWAYS (nothing acknowledged is lost on power failure), INTERVAL, NEVER. */
    @NotNull
    private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;

    /** Period of the INTERVAL policy. */
    @NotNull
    private Duration fsyncInterval = Duration.milliseconds(50);

    /** Memtable size per partition replica. */
    @NotNull
    private DataSize memtableSize = DataSize.mebibytes(64);

    /** Memtables of all the node's replicas together (active and waiting for flush); 0 = unlimited. */
    @NotNull
    private DataSize memtableBudget = DataSize.mebibytes(256);

    /** Block cache of the node, shared by all its partition replicas. */
    @NotNull
    private DataSize blockCacheSize = DataSize.mebibytes(128);

    /** Log segments roll past this size. */
    @NotNull
    private DataSize logSegmentSize = DataSize.mebibytes(128);

    /** The data directory must keep at least this much free space to be healthy. */
    @NotNull
    private DataSize minFreeSpace = DataSize.mebibytes(256);

    public StoreOptions storeOptions(int maxKeyBytes, int maxValueBytes) {
        StoreOptions d = StoreOptions.defaults();
        return new StoreOptions(memtableSize.toBytes(), d.maxImmutableMemtables(), blockCacheSize.toBytes(),
                d.blockSize(), d.bloomBitsPerKey(), d.targetFileBytes(), d.l0CompactionTrigger(),
                d.l0SlowdownTrigger(), d.l0StopTrigger(), d.levelBaseBytes(), d.levelMultiplier(),
                d.compactionThreads(), maxKeyBytes, maxValueBytes, logSegmentSize.toBytes(), fsyncPolicy,
                java.time.Duration.ofMillis(fsyncInterval.toMilliseconds()));
    }

    @JsonProperty
    public FsyncPolicy getFsyncPolicy() {
        return fsyncPolicy;
    }

    @JsonProperty
    public void setFsyncPolicy(FsyncPolicy fsyncPolicy) {
        this.fsyncPolicy = fsyncPolicy;
    }

    @JsonProperty
    public Duration getFsyncInterval() {
        return fsyncInterval;
    }

    @JsonProperty
    public void setFsyncInterval(Duration fsyncInterval) {
        this.fsyncInterval = fsyncInterval;
    }

    @JsonProperty
    public DataSize getMemtableSize() {
        return memtableSize;
    }

    @JsonProperty
    public void setMemtableSize(DataSize memtableSize) {
        this.memtableSize = memtableSize;
    }

    @JsonProperty
    public DataSize getMemtableBudget() {
        return memtableBudget;
    }

    @JsonProperty
    public void setMemtableBudget(DataSize memtableBudget) {
        this.memtableBudget = memtableBudget;
    }

    @JsonProperty
    public DataSize getBlockCacheSize() {
        return blockCacheSize;
    }

    @JsonProperty
    public void setBlockCacheSize(DataSize blockCacheSize) {
        this.blockCacheSize = blockCacheSize;
    }

    @JsonProperty
    public DataSize getLogSegmentSize() {
        return logSegmentSize;
    }

    @JsonProperty
    public void setLogSegmentSize(DataSize logSegmentSize) {
        this.logSegmentSize = logSegmentSize;
    }

    @JsonProperty
    public DataSize getMinFreeSpace() {
        return minFreeSpace;
    }

    @JsonProperty
    public void setMinFreeSpace(DataSize minFreeSpace) {
        this.minFreeSpace = minFreeSpace;
    }
}

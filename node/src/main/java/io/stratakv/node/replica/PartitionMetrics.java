package io.stratakv.node.replica;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.log.LogRecord;

import java.util.List;
import java.util.function.Supplier;

/**
 * One replica's metrics in the node's registry, all under {@code partition.<ks>.<pid>.}; the
 * engine registers its own under the same prefix ({@code <prefix>.lsm.*}, {@code <prefix>.log.fsync}).
 * The log's other metrics ({@code log.fsync}, {@code log.appended-*}, {@code log.segments}) are
 * node-wide: they sum over every partition of the node.
 *
 * <p>{@link #close} removes everything under the prefix, the engine's included (the replica is gone).
 */
public final class PartitionMetrics {

    public static final String COMMIT_LAG = "commit-lag";
    public static final String ROLE = "role";
    public static final String LOG_END = "log.end-offset";
    public static final String LOG_START = "log.start-offset";
    public static final String LOG_BYTES = "log.bytes";
    public static final String APPLIED = "applied-offset";
    public static final String FETCHED_BYTES = "replication.fetched-bytes";
    public static final String SERVED_BYTES = "replication.served-bytes";
    public static final String ROLE_CHANGES = "role-changes";
    public static final String SNAPSHOTS_SERVED = "snapshot.served";
    public static final String SNAPSHOTS_INSTALLED = "snapshot.installed";
    public static final String SNAPSHOTS_FAILED = "snapshot.failed";
    public static final String SNAPSHOT_BYTES_SERVED = "snapshot.served-bytes";
    public static final String SNAPSHOT_BYTES_RECEIVED = "snapshot.received-bytes";

    private final MetricRegistry registry;
    private final String prefix;
    private final Counter fetchedBytes;
    private final Counter servedBytes;
    private final Counter roleChanges;
    private final Counter snapshotsServed;
    private final Counter snapshotsInstalled;
    private final Counter snapshotsFailed;
    private final Counter snapshotBytesServed;
    private final Counter snapshotBytesReceived;

    public PartitionMetrics(MetricRegistry registry, String keyspace, int partitionId) {
        this.registry = registry == null ? new MetricRegistry() : registry;
        this.prefix = prefix(keyspace, partitionId);
        this.fetchedBytes = this.registry.counter(name(FETCHED_BYTES));
        this.servedBytes = this.registry.counter(name(SERVED_BYTES));
        this.roleChanges = this.registry.counter(name(ROLE_CHANGES));
        this.snapshotsServed = this.registry.counter(name(SNAPSHOTS_SERVED));
        this.snapshotsInstalled = this.registry.counter(name(SNAPSHOTS_INSTALLED));
        this.snapshotsFailed = this.registry.counter(name(SNAPSHOTS_FAILED));
        this.snapshotBytesServed = this.registry.counter(name(SNAPSHOT_BYTES_SERVED));
        this.snapshotBytesReceived = this.registry.counter(name(SNAPSHOT_BYTES_RECEIVED));
    }

    public static String prefix(String keyspace, int partitionId) {
        return "partition." + keyspace + "." + partitionId;
    }

    /** Removes whatever is left under prefix (a replica of the same partition closed before, or a failed open). */
    public static void removeAll(MetricRegistry registry, String keyspace, int partitionId) {
        if (registry != null) {
            registry.removeMatching(MetricFilter.startsWith(prefix(keyspace, partitionId) + "."));
        }
    }

    public String prefix() {
        return prefix;
    }

    public MetricRegistry registry() {
        return registry;
    }

    public String name(String suffix) {
        return prefix + "." + suffix;
    }

    /** The replica's gauges; called once it exists. */
    void registerGauges(Replica r) {
        gauge(COMMIT_LAG, r::commitLag);
        gauge(ROLE, () -> r.view().state().ordinal());
        gauge(LOG_END, r::logEnd);
        gauge(LOG_START, () -> r.store().log().startOffset());
        gauge(LOG_BYTES, () -> r.store().log().sizeInBytes());
        gauge(APPLIED, r::commitEnd);
    }

    private <T> void gauge(String suffix, Supplier<T> value) {
        String n = name(suffix);
        registry.remove(n);
        registry.register(n, (Gauge<T>) value::get);
    }

    void fetched(List<LogRecord> records) {
        fetchedBytes.inc(payloadBytes(records));
    }

    void served(List<LogRecord> records) {
        servedBytes.inc(payloadBytes(records));
    }

    void roleChanged() {
        roleChanges.inc();
    }

    /** A leader streamed a snapshot of fileBytes (tables, manifest, CURRENT) to a follower. */
    public void snapshotServed(long fileBytes) {
        snapshotsServed.inc();
        snapshotBytesServed.inc(fileBytes);
    }

    void snapshotReceived(long fileBytes) {
        snapshotBytesReceived.inc(fileBytes);
    }

    void snapshotInstalled() {
        snapshotsInstalled.inc();
    }

    void snapshotFailed() {
        snapshotsFailed.inc();
    }

    private static long payloadBytes(List<LogRecord> records) {
        long n = 0;
        for (LogRecord r : records) {
            n += r.payload() == null ? 0 : r.payload().length;
        }
        return n;
    }

    void close() {
        registry.removeMatching(MetricFilter.startsWith(prefix + "."));
    }
}

package io.stratakv.node.replica;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import io.stratakv.node.replication.ReplicationClient;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.hash.KeyHash;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the node's local replicas matching the partition znodes (DESIGN.md §2): opens a
 * {@link PartitionStore} under dataDir/&lt;ks&gt;/&lt;pid&gt; for each partition that lists this node as
 * replica or learner, hands every newer record to its {@link Replica}, and closes replicas no
 * longer assigned. Data of a closed replica stays on disk (it may be assigned back, and a
 * rebalance that went wrong must not have destroyed a copy), with two exceptions: a partition
 * whose znode disappeared together with its keyspace's (the keyspace was deleted) has its files
 * deleted, and so does a split parent once the controller retired it and both its children have a
 * leader.
 *
 * <p>Splits (node/README.md, "Splits"): when a replica applies its partition's split entry, the
 * manager builds the two children's stores from it ({@link LocalSplits}); a child partition's
 * replica opens only from such a store, or empty when this node holds no split copy of the parent
 * (it then catches up from the child's leader).
 *
 * <p>The CuratorCache watch is a hint: a full fresh read runs every reconcile interval and after
 * every reconnection (after {@code sync()}), and records are applied by znode version, newest
 * wins, never by arrival order. On SUSPENDED or LOST every leader stops serving at once.
 *
 * <p>Threads: cache events on Curator's thread, reconciles on one scheduler thread, fence and
 * data requests on Jetty's. {@link #apply} is synchronized so a partition is opened or closed once.
 */
public final class ReplicaManager implements Managed, ReplicaContext {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    public record Key(String keyspace, int partitionId) {
    }

    private final CuratorFramework zk;
    private final ZkLayout layout;
    private final String nodeId;
    private final Path dataDir;
    private final StoreOptions storeOptions;
    private final ReplicationClient client;
    private final int fetchMaxWaitMs;
    private final int fetchMaxBytes;
    private final long fetchRetryMs;
    private final long reconcileMs;
    private final MetricRegistry metrics;
    /** One block cache for every replica of the node: storage.blockCacheSize is the node's budget. */
    private final io.stratakv.storage.sstable.BlockCache blockCache;
    private final Map<Key, Replica> replicas = new ConcurrentHashMap<>();
    /** Newest record (by znode version) of every partition of the cluster, for routing and NOT_LEADER answers. */
    private final Map<Key, Versioned<PartitionRecord>> records = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strata-replica-manager");
        t.setDaemon(true);
        return t;
    });
    private CuratorCache cache;
    private volatile boolean suspended;
    private volatile LogRetention retention = new LogRetention(LogRetention.Settings.defaults());
    private ScheduledExecutorService retentionThread;
    private final LocalSplits splits;
    /** storage.memtableBudget: the memtables of every local replica together; unlimited until set. */
    private volatile MemtableBudget memtableBudget;

    public ReplicaManager(CuratorFramework zk, ZkLayout layout, String nodeId, Path dataDir, StoreOptions storeOptions,
                          ReplicationClient client, int fetchMaxWaitMs, int fetchMaxBytes, long fetchRetryMs,
                          long reconcileMs) {
        this(zk, layout, nodeId, dataDir, storeOptions, client, fetchMaxWaitMs, fetchMaxBytes, fetchRetryMs, reconcileMs,
                null);
    }

    /**
     * @param metrics the node's registry: each replica's metrics go under {@code partition.<ks>.<pid>}
     *                (see {@link PartitionMetrics}) and are removed when it closes; null: none
     */
    public ReplicaManager(CuratorFramework zk, ZkLayout layout, String nodeId, Path dataDir, StoreOptions storeOptions,
                          ReplicationClient client, int fetchMaxWaitMs, int fetchMaxBytes, long fetchRetryMs,
                          long reconcileMs, MetricRegistry metrics) {
        this.metrics = metrics;
        this.zk = zk;
        this.layout = layout;
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.storeOptions = storeOptions;
        this.client = client;
        this.fetchMaxWaitMs = fetchMaxWaitMs;
        this.fetchMaxBytes = fetchMaxBytes;
        this.fetchRetryMs = fetchRetryMs;
        this.reconcileMs = reconcileMs;
        this.blockCache = new io.stratakv.storage.sstable.BlockCache(storeOptions.blockCacheBytes());
        this.splits = new LocalSplits(dataDir, storeOptions);
        this.memtableBudget = newMemtableBudget(0);
    }

    private MemtableBudget newMemtableBudget(long bytes) {
        return new MemtableBudget(bytes, storeOptions.maxImmutableMemtables(), replicas::values, metrics);
    }

    /** The node-wide memtable budget in bytes (node.yml {@code storage.memtableBudget}), 0 = unlimited; call before start. */
    public void setMemtableBudget(long bytes) {
        memtableBudget.close();
        memtableBudget = newMemtableBudget(bytes);
    }

    public MemtableBudget memtableBudget() {
        return memtableBudget;
    }

    /** Log retention settings (node.yml {@code replication.retention}); call before start. */
    public void setRetention(LogRetention.Settings settings) {
        this.retention = new LogRetention(settings);
    }

    /** Runs one log-retention pass over every local replica now (tests, operators). */
    public void enforceRetentionNow() {
        retention.runOnce(replicas.values());
    }

    @Override
    public void start() throws Exception {
        SnapshotInstaller.deleteTree(snapshotWorkDir()); // checkpoints of snapshots served before a crash
        memtableBudget.start();
        retentionThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-log-retention");
            t.setDaemon(true);
            return t;
        });
        long every = retention.settings().intervalMillis();
        retentionThread.scheduleWithFixedDelay(() -> {
            try {
                enforceRetentionNow();
            } catch (RuntimeException e) {
                LOG.warn("log retention pass failed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        zk.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
        cache = CuratorCache.build(zk, layout.partitions());
        cache.listenable().addListener(CuratorCacheListener.builder().forCreatesAndChanges((before, after) -> {
            Optional<Key> key = keyOf(after.getPath());
            if (key.isPresent() && after.getData() != null && after.getData().length > 0) {
                try {
                    PartitionRecord rec = ZkCodec.decode(after.getData(), PartitionRecord.class, after.getPath());
                    apply(key.get(), new Versioned<>(rec, after.getStat().getVersion()));
                } catch (RuntimeException e) {
                    LOG.warn("cannot apply partition znode {}: {}", after.getPath(), e.toString());
                }
            }
        }).build());
        cache.start();
        reconcile();
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, reconcileMs, reconcileMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        scheduler.shutdownNow();
        memtableBudget.close();
        if (retentionThread != null) {
            retentionThread.shutdownNow();
        }
        if (cache != null) {
            cache.close();
        }
        synchronized (this) {
            for (Replica r : replicas.values()) {
                try {
                    r.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing replica {}: {}", r.where(), e.toString());
                }
            }
            replicas.clear();
        }
    }

    private void onConnectionState(ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST -> {
                suspended = true;
                replicas.values().forEach(Replica::suspendLeadership);
                LOG.warn("ZooKeeper connection {}: every local leader stopped serving", state);
            }
            case RECONNECTED, CONNECTED -> {
                suspended = false;
                scheduler.execute(() -> {
                    try {
                        zk.sync().forPath(layout.partitions()); // read only what the quorum has (helix#1118)
                    } catch (Exception e) {
                        LOG.warn("sync after reconnect failed: {}", e.toString());
                    }
                    reconcileQuietly();
                });
            }
            default -> {
            }
        }
    }

    private Optional<Key> keyOf(String path) {
        String prefix = layout.partitions() + "/";
        if (!path.startsWith(prefix)) {
            return Optional.empty();
        }
        String[] parts = path.substring(prefix.length()).split("/");
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Key(parts[0], Integer.parseInt(parts[1])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (Exception e) {
            LOG.warn("reconcile of partitions failed: {}", e.toString());
        }
    }

    /** A full fresh read of every partition znode; closes local replicas whose znode is gone. */
    public void reconcile() throws Exception {
        if (zk.checkExists().forPath(layout.partitions()) == null) {
            return;
        }
        List<Key> seen = new ArrayList<>();
        for (String ks : zk.getChildren().forPath(layout.partitions())) {
            List<String> pids;
            try {
                pids = zk.getChildren().forPath(layout.partitions(ks));
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            for (String pid : pids) {
                Key key = new Key(ks, Integer.parseInt(pid));
                seen.add(key);
                readFresh(key);
            }
        }
        for (Key k : List.copyOf(replicas.keySet())) {
            if (!seen.contains(k)) {
                closeReplica(k, "its partition znode is gone");
            }
        }
        for (Key k : List.copyOf(records.keySet())) {
            if (!seen.contains(k)) {
                records.remove(k);
                deleteIfKeyspaceGone(k);
            }
        }
        deleteRetiredParents();
    }

    /** A partition znode vanished: if its keyspace's znode is gone too, the keyspace was deleted. */
    private synchronized void deleteIfKeyspaceGone(Key k) throws Exception {
        if (zk.checkExists().forPath(layout.keyspace(k.keyspace())) != null
                || zk.checkExists().forPath(layout.partition(k.keyspace(), k.partitionId())) != null) {
            return;
        }
        closeReplica(k, "its keyspace was deleted");
        splits.delete(k.keyspace(), k.partitionId());
    }

    /**
     * Deletes the files of every retired split parent once both its children have a leader (they
     * were elected from the children's own stores, so nothing reads the parent's any more). A
     * parent this node never split locally goes too: with no leader it can never apply its split.
     */
    private synchronized void deleteRetiredParents() {
        for (Map.Entry<Key, Versioned<PartitionRecord>> e : records.entrySet()) {
            PartitionRecord p = e.getValue().value();
            Key k = e.getKey();
            if (p.state() != PartitionState.RETIRED || p.split().isEmpty() || replicas.containsKey(k)
                    || !Files.exists(splits.dir(k.keyspace(), k.partitionId()))) {
                continue;
            }
            boolean childrenLed = true;
            for (int c : List.of(p.split().get().lowerPartitionId(), p.split().get().upperPartitionId())) {
                Versioned<PartitionRecord> cr = records.get(new Key(k.keyspace(), c));
                childrenLed &= cr != null && (cr.value().state().hasLeader() || cr.value().state() == PartitionState.RETIRED);
            }
            if (childrenLed) {
                LOG.info("partition {}/{} was retired by its split and its children have leaders: deleting its files",
                        k.keyspace(), k.partitionId());
                splits.delete(k.keyspace(), k.partitionId());
            }
        }
    }

    private void scheduleSplit(Key key) {
        try {
            scheduler.execute(() -> splitLocally(key));
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // stopping: the next start finds the split applied and builds the children
        }
    }

    /**
     * Builds the children of a replica that has applied its split entry (on the scheduler thread,
     * or at once when a child must open); then the replica reports the split in its status.
     */
    private synchronized void splitLocally(Key key) {
        Replica r = replicas.get(key);
        if (r == null || r.store().appliedSplit() == null) {
            return;
        }
        try {
            splits.build(key.keyspace(), key.partitionId(), r.store());
            r.markSplitDone();
        } catch (RuntimeException e) {
            LOG.error("cannot split partition {}/{} locally; retried at the next reconcile", key.keyspace(),
                    key.partitionId(), e);
        }
    }

    /**
     * Before a partition's store is created here: if it is a split child of a parent this node
     * holds, its store must come from the parent's split state, never start empty. Returns false if
     * it cannot open yet (the parent has not split here yet but still may).
     */
    private boolean prepareChild(Key key) {
        Optional<PartitionRecord> parentRec = parentOf(key);
        if (parentRec.isEmpty()) {
            return true;
        }
        PartitionRecord p = parentRec.get();
        Key pk = new Key(key.keyspace(), p.partitionId());
        if (!Files.exists(splits.dir(pk.keyspace(), pk.partitionId())) || splits.done(pk.keyspace(), pk.partitionId())) {
            return true; // no copy of the parent here (or its children were built and this one since removed)
        }
        Replica pr = replicas.get(pk);
        if (pr != null && pr.store().appliedSplit() != null) {
            splitLocally(pk);
            return splits.done(pk.keyspace(), pk.partitionId());
        }
        if (pr != null && p.state() != PartitionState.RETIRED) {
            return false; // the parent still splits here when it applies the entry
        }
        if (pr == null) {
            try (PartitionStore ps = PartitionStore.open(RealFs.INSTANCE, splits.dir(pk.keyspace(), pk.partitionId()),
                    storeOptions, null, null, false)) {
                if (ps.appliedSplit() != null) {
                    splits.build(pk.keyspace(), pk.partitionId(), ps);
                    return true;
                }
            } catch (RuntimeException e) {
                LOG.error("cannot read the split state of partition {}/{}", pk.keyspace(), pk.partitionId(), e);
                return false;
            }
        }
        // Retired and never split here: no leader will ever commit its split entry on this node. The
        // child starts empty and catches up from its own leader.
        LOG.warn("partition {}/{} was retired before this node applied its split; child {} starts empty here",
                pk.keyspace(), pk.partitionId(), key.partitionId());
        closeReplica(pk, "it was retired before it split here");
        return true;
    }

    /** The split parent (SPLITTING or RETIRED) naming key as a child: from the records known, else a fresh read. */
    private Optional<PartitionRecord> parentOf(Key key) {
        Optional<PartitionRecord> known = records.values().stream().map(Versioned::value)
                .filter(r -> r.keyspace().equals(key.keyspace()) && names(r, key.partitionId())).findFirst();
        if (known.isPresent()) {
            return known;
        }
        try {
            for (String pid : zk.getChildren().forPath(layout.partitions(key.keyspace()))) {
                Optional<Versioned<PartitionRecord>> v = ZkCodec.read(zk,
                        layout.partition(key.keyspace(), Integer.parseInt(pid)), PartitionRecord.class);
                if (v.isPresent() && names(v.get().value(), key.partitionId())) {
                    return Optional.of(v.get().value());
                }
            }
        } catch (Exception e) {
            throw new ReplicaException(ErrorCode.ZOOKEEPER_UNAVAILABLE, "cannot look for the split parent of "
                    + key.keyspace() + "/" + key.partitionId() + ": " + e);
        }
        return Optional.empty();
    }

    private static boolean names(PartitionRecord r, int child) {
        return r.split().isPresent() && (r.state() == PartitionState.RETIRED || r.state() == PartitionState.SPLITTING)
                && (r.split().get().lowerPartitionId() == child || r.split().get().upperPartitionId() == child);
    }

    /** Reads one partition znode fresh and applies it; returns the replica if this node holds one. */
    public Optional<Replica> readFresh(Key key) throws Exception {
        Optional<Versioned<PartitionRecord>> v = ZkCodec.read(zk, layout.partition(key.keyspace(), key.partitionId()),
                PartitionRecord.class);
        v.ifPresent(rec -> apply(key, rec));
        return Optional.ofNullable(replicas.get(key));
    }

    private synchronized void apply(Key key, Versioned<PartitionRecord> rec) {
        Versioned<PartitionRecord> known = records.get(key);
        if (known != null && known.version() > rec.version()) {
            return;
        }
        records.put(key, rec);
        PartitionRecord r = rec.value();
        boolean assigned = (r.replicas().contains(nodeId) || r.learners().contains(nodeId))
                && r.state() != PartitionState.RETIRED;
        Replica replica = replicas.get(key);
        if (!assigned) {
            if (replica != null) {
                if (r.state() == PartitionState.RETIRED) {
                    replica.onRecord(r); // it answers PARTITION_SPLIT from now on
                    splitLocally(key); // a replica that applied the split builds its children before it closes
                }
                closeReplica(key, r.state() == PartitionState.RETIRED ? "it was retired by its split"
                        : "it is no longer assigned here (" + r.replicas() + ")");
            }
            return;
        }
        if (replica == null) {
            Path dir = dataDir.resolve(key.keyspace()).resolve(Integer.toString(key.partitionId()));
            try {
                if (!Files.exists(dir) && !prepareChild(key)) {
                    return; // its parent splits here first; a later record or reconcile opens it
                }
            } catch (RuntimeException e) {
                LOG.warn("partition {}/{} not opened yet: {}", key.keyspace(), key.partitionId(), e.toString());
                return;
            }
            PartitionStore store;
            try {
                SnapshotInstaller.recover(dir); // an install cut short by a crash: finish or undo it first
                Files.createDirectories(dir);
                PartitionMetrics.removeAll(metrics, key.keyspace(), key.partitionId()); // leftovers of a failed open
                store = openStore(key.keyspace(), key.partitionId(), dir);
            } catch (Exception e) {
                PartitionMetrics.removeAll(metrics, key.keyspace(), key.partitionId());
                LOG.error("cannot open partition {}/{} under {}", key.keyspace(), key.partitionId(), dir, e);
                return;
            }
            replica = new Replica(key.keyspace(), key.partitionId(), store, r, this,
                    new PartitionMetrics(metrics, key.keyspace(), key.partitionId()));
            replicas.put(key, replica);
            LOG.info("opened replica {}/{} at log end {}", key.keyspace(), key.partitionId(), store.log().endOffset());
            store.setSplitListener(() -> scheduleSplit(key));
            if (store.appliedSplit() != null) {
                if (splits.done(key.keyspace(), key.partitionId())) {
                    replica.markSplitDone();
                } else {
                    scheduleSplit(key); // a restart in the middle of a local split: finish it
                }
            }
        } else if (replica.store().appliedSplit() != null && !splits.done(key.keyspace(), key.partitionId())) {
            scheduleSplit(key); // a failed earlier attempt: every record and reconcile retries
        }
        replica.onRecord(r);
        if (suspended) {
            replica.suspendLeadership();
        }
    }

    private synchronized void closeReplica(Key key, String why) {
        Replica r = replicas.remove(key);
        if (r != null) {
            LOG.info("closing replica {}: {}; its data stays on disk", r.where(), why);
            r.close();
        }
    }

    public Optional<Replica> replica(String keyspace, int partitionId) {
        return Optional.ofNullable(replicas.get(new Key(keyspace, partitionId)));
    }

    public Collection<Replica> replicas() {
        return replicas.values();
    }

    /** The partition of keyspace whose hash range holds key, from the newest records this node has read. */
    public Optional<PartitionRecord> route(String keyspace, byte[] key) {
        long h = KeyHash.hash(key);
        for (Map.Entry<Key, Versioned<PartitionRecord>> e : records.entrySet()) {
            PartitionRecord r = e.getValue().value();
            if (e.getKey().keyspace().equals(keyspace) && r.state() != PartitionState.RETIRED && r.range().contains(h)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Where partitions live; admin tasks keep checkpoints inside it. */
    public Path dataDir() {
        return dataDir;
    }

    public boolean zooKeeperSuspended() {
        return suspended;
    }

    // ------------------------------------------------------------------------------------ ReplicaContext

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Optional<URI> internalAddress(String id) {
        try {
            return ZkCodec.read(zk, layout.registeredNode(id), NodeRegistration.class)
                    .map(v -> URI.create("http://" + v.value().host() + ":" + v.value().internalPort()));
        } catch (Exception e) {
            throw new ReplicaException(ErrorCode.ZOOKEEPER_UNAVAILABLE, "cannot read the registration of " + id + ": " + e);
        }
    }

    @Override
    public void reread(String keyspace, int partitionId) {
        try {
            scheduler.execute(() -> {
                try {
                    readFresh(new Key(keyspace, partitionId));
                } catch (Exception e) {
                    LOG.warn("reread of {}/{} failed: {}", keyspace, partitionId, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // stopping
        }
    }

    @Override
    public StoreOptions storeOptions() {
        return storeOptions;
    }

    @Override
    public PartitionStore openStore(String keyspace, int partitionId, Path dir) {
        return PartitionStore.open(RealFs.INSTANCE, dir, storeOptions, metrics,
                PartitionMetrics.prefix(keyspace, partitionId), false, blockCache);
    }

    @Override
    public Path snapshotWorkDir() {
        return dataDir.resolve(".snapshot-serving"); // a dot: never a keyspace name
    }

    @Override
    public ReplicationClient replicationClient() {
        return client;
    }

    @Override
    public int fetchMaxWaitMs() {
        return fetchMaxWaitMs;
    }

    @Override
    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    @Override
    public long fetchRetryMs() {
        return fetchRetryMs;
    }
}

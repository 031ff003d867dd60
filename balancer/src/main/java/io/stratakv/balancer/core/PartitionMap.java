package io.stratakv.balancer.core;

import io.dropwizard.lifecycle.Managed;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.SchemaException;
import io.stratakv.zk.records.ZkCodec;
import io.stratakv.zk.records.ZkRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The balancer's cache of the cluster's control state: keyspaces, partitions, registered and live
 * nodes, from ZooKeeper (DESIGN.md §2).
 *
 * <p><b>What must always hold.</b>
 * <ul>
 *   <li>Notifications are hints. Every copy of a znode, whether it came from a CuratorCache event,
 *       from the periodic full read ({@link #reconcile}) or from a targeted read after a node's
 *       NOT_LEADER answer ({@link #refreshPartition}), goes through the same merge, which acts on
 *       znode incarnation ({@code czxid}), leader epoch and znode version only, never on the order
 *       things arrived in: for one partition, a record with a lower {@code leaderEpoch} never
 *       replaces one with a higher epoch, and within an epoch a lower znode version never replaces
 *       a higher one. Only a newer incarnation of the znode (deleted and recreated: larger czxid)
 *       starts over.</li>
 *   <li>A deletion removes an entry only if it names the same or a newer incarnation, and the full
 *       read removes only entries created before its listing was taken (czxid at most the
 *       listing's pzxid), so a stale listing never drops a znode created after it.</li>
 *   <li>Readers never lock: they read the immutable {@link ClusterView} last published. Merges
 *       run under {@link #lock} (cache thread, reconcile thread, request threads refreshing one
 *       partition) and publish a new view with a larger generation, then wake
 *       {@link #awaitChange} waiters.</li>
 * </ul>
 */
public final class PartitionMap implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionMap.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final Duration reconcileInterval;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final Map<String, ZnodeEntry<KeyspaceRecord>> keyspaces = new HashMap<>();
    private final Map<String, Map<Integer, ZnodeEntry<PartitionRecord>>> partitions = new HashMap<>();
    private final Map<String, ZnodeEntry<NodeRegistration>> registered = new HashMap<>();
    private final Map<String, Long> live = new HashMap<>(); // nodeId -> czxid of its ephemeral znode
    private long generation;

    private volatile ClusterView view = ClusterView.EMPTY;
    private volatile boolean loaded;
    private final List<CuratorCache> caches = new ArrayList<>();
    private ScheduledExecutorService reconciler;

    public PartitionMap(CuratorFramework client, ZkLayout layout, Duration reconcileInterval) {
        this.client = client;
        this.layout = layout;
        this.reconcileInterval = reconcileInterval;
    }

    // ---------------------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        CuratorCacheListener listener = CuratorCacheListener.builder().forAll(this::onEvent).build();
        for (String path : List.of(layout.keyspaces(), layout.partitions(), layout.nodes())) {
            CuratorCache cache = CuratorCache.build(client, path);
            cache.listenable().addListener(listener);
            caches.add(cache);
            cache.start();
        }
        reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "partition-map-reconcile");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, reconcileInterval.toMillis());
        reconciler.scheduleWithFixedDelay(this::reconcileQuietly, 0, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (reconciler != null) {
            reconciler.shutdownNow();
        }
        caches.forEach(CuratorCache::close);
        caches.clear();
    }

    // ---------------------------------------------------------------------------- reading

    /** The current snapshot; never null. */
    public ClusterView view() {
        return view;
    }

    /** Whether one full read has completed (the health check reports it). */
    public boolean loaded() {
        return loaded;
    }

    /**
     * Waits until the published generation exceeds {@code seenGeneration} or {@code timeout}
     * passes; true if it changed. Lets a write that lost its leader wait for the next one
     * without polling.
     */
    public boolean awaitChange(long seenGeneration, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (generation <= seenGeneration) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------- fresh reads

    /**
     * Reads one partition znode from ZooKeeper now ({@code sync} first, so the read is at least as
     * new as any write this balancer's session could have been told about) and merges it.
     */
    public void refreshPartition(String keyspace, int partitionId) throws Exception {
        String path = layout.partition(keyspace, partitionId);
        client.sync().forPath(path);
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return; // deleted: the cache's event or the next reconcile removes it
        }
        PartitionRecord rec = decode(data, PartitionRecord.class, path);
        if (rec != null) {
            offerPartition(rec, stat.getVersion(), stat.getCzxid());
        }
    }

    /** A full fresh read of keyspaces, partitions and nodes, merged by the same rules as events. */
    public void reconcile() throws Exception {
        Listing<KeyspaceRecord> ks = list(layout.keyspaces(), KeyspaceRecord.class);
        Listing<NodeRegistration> regs = list(layout.registeredNodes(), NodeRegistration.class);
        Listing<NodeLive> lives = list(layout.liveNodes(), NodeLive.class);
        Map<String, Listing<PartitionRecord>> parts = new HashMap<>();
        long partitionsPzxid = pzxid(layout.partitions());
        for (String name : children(layout.partitions())) {
            if (ZkNames.isValidName(name)) {
                parts.put(name, list(layout.partitions(name), PartitionRecord.class));
            }
        }
        lock.lock();
        try {
            boolean any = false;
            for (var e : ks.entries.entrySet()) {
                any |= mergeKeyspace(e.getKey(), e.getValue());
            }
            any |= keyspaces.entrySet().removeIf(e -> !ks.entries.containsKey(e.getKey())
                    && e.getValue().czxid() <= ks.pzxid);
            for (var e : regs.entries.entrySet()) {
                any |= mergeRegistration(e.getKey(), e.getValue());
            }
            any |= registered.entrySet().removeIf(e -> !regs.entries.containsKey(e.getKey())
                    && e.getValue().czxid() <= regs.pzxid);
            for (var e : lives.entries.entrySet()) {
                any |= mergeLive(e.getKey(), e.getValue().czxid());
            }
            any |= live.entrySet().removeIf(e -> !lives.entries.containsKey(e.getKey()) && e.getValue() <= lives.pzxid);
            for (var ksParts : parts.entrySet()) {
                Listing<PartitionRecord> listing = ksParts.getValue();
                for (var e : listing.entries.entrySet()) {
                    any |= mergePartition(e.getValue());
                }
                Map<Integer, ZnodeEntry<PartitionRecord>> known = partitions.get(ksParts.getKey());
                if (known != null) {
                    any |= known.entrySet().removeIf(e -> !listing.entries.containsKey(Integer.toString(e.getKey()))
                            && e.getValue().czxid() <= listing.pzxid);
                }
            }
            for (var known : partitions.entrySet()) {
                if (!parts.containsKey(known.getKey())) {
                    any |= known.getValue().entrySet().removeIf(e -> e.getValue().czxid() <= partitionsPzxid);
                }
            }
            partitions.values().removeIf(Map::isEmpty);
            loaded = true;
            if (any) {
                publish();
            }
        } finally {
            lock.unlock();
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (Exception e) {
            LOG.warn("partition map: full read from ZooKeeper failed (will retry in {}): {}", reconcileInterval, e.toString());
        }
    }

    private record Listing<T>(Map<String, ZnodeEntry<T>> entries, long pzxid) {
    }

    private <T extends ZkRecord> Listing<T> list(String parent, Class<T> type) throws Exception {
        Stat parentStat = new Stat();
        List<String> names;
        try {
            names = client.getChildren().storingStatIn(parentStat).forPath(parent);
        } catch (KeeperException.NoNodeException e) {
            return new Listing<>(Map.of(), Long.MAX_VALUE); // no parent: nothing under it exists
        }
        Map<String, ZnodeEntry<T>> out = new HashMap<>();
        for (String name : names) {
            String path = parent + "/" + name;
            Stat stat = new Stat();
            try {
                T rec = decode(client.getData().storingStatIn(stat).forPath(path), type, path);
                if (rec != null) {
                    out.put(name, new ZnodeEntry<>(rec, stat.getVersion(), stat.getCzxid()));
                }
            } catch (KeeperException.NoNodeException e) {
                // deleted between the listing and the read
            }
        }
        return new Listing<>(out, parentStat.getPzxid());
    }

    private List<String> children(String parent) throws Exception {
        try {
            return client.getChildren().forPath(parent);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private long pzxid(String path) throws Exception {
        Stat s = client.checkExists().forPath(path);
        return s == null ? Long.MAX_VALUE : s.getPzxid();
    }

    // ---------------------------------------------------------------------------- cache events

    private void onEvent(CuratorCacheListener.Type type, ChildData oldData, ChildData data) {
        try {
            switch (type) {
                case NODE_CREATED, NODE_CHANGED -> onData(data);
                case NODE_DELETED -> onDeleted(oldData);
            }
        } catch (RuntimeException e) {
            LOG.warn("partition map: ignored an event it could not apply: {}", e.toString());
        }
    }

    private void onData(ChildData d) {
        Kind k = kind(d.getPath());
        if (k == null || d.getStat() == null) {
            return;
        }
        int version = d.getStat().getVersion();
        long czxid = d.getStat().getCzxid();
        switch (k.what) {
            case KEYSPACE -> {
                KeyspaceRecord r = decode(d.getData(), KeyspaceRecord.class, d.getPath());
                if (r != null) {
                    offerKeyspace(r, version, czxid);
                }
            }
            case PARTITION -> {
                PartitionRecord r = decode(d.getData(), PartitionRecord.class, d.getPath());
                if (r != null) {
                    offerPartition(r, version, czxid);
                }
            }
            case REGISTERED -> {
                NodeRegistration r = decode(d.getData(), NodeRegistration.class, d.getPath());
                if (r != null) {
                    offerRegistration(r, version, czxid);
                }
            }
            case LIVE -> offerLive(k.name, czxid);
        }
    }

    private void onDeleted(ChildData old) {
        Kind k = old == null ? null : kind(old.getPath());
        if (k == null || old.getStat() == null) {
            return;
        }
        long czxid = old.getStat().getCzxid();
        lock.lock();
        try {
            boolean removed = switch (k.what) {
                case KEYSPACE -> removeIfNotNewer(keyspaces, k.name, czxid);
                case REGISTERED -> removeIfNotNewer(registered, k.name, czxid);
                case LIVE -> live.get(k.name) != null && live.get(k.name) <= czxid && live.remove(k.name) != null;
                case PARTITION -> {
                    Map<Integer, ZnodeEntry<PartitionRecord>> m = partitions.get(k.name);
                    yield m != null && removeIfNotNewer(m, k.partitionId, czxid);
                }
            };
            if (removed) {
                publish();
            }
        } finally {
            lock.unlock();
        }
    }

    private static <K, T> boolean removeIfNotNewer(Map<K, ZnodeEntry<T>> m, K key, long czxid) {
        ZnodeEntry<T> cur = m.get(key);
        if (cur != null && cur.czxid() <= czxid) {
            m.remove(key);
            return true;
        }
        return false;
    }

    private enum What { KEYSPACE, PARTITION, REGISTERED, LIVE }

    private record Kind(What what, String name, int partitionId) {
    }

    /** What a znode path under the root is, or null for containers and foreign znodes. */
    private Kind kind(String path) {
        try {
            String rest;
            if ((rest = under(path, layout.keyspaces())) != null && !rest.contains("/")) {
                return new Kind(What.KEYSPACE, rest, -1);
            }
            if ((rest = under(path, layout.registeredNodes())) != null && !rest.contains("/")) {
                return new Kind(What.REGISTERED, rest, -1);
            }
            if ((rest = under(path, layout.liveNodes())) != null && !rest.contains("/")) {
                return new Kind(What.LIVE, rest, -1);
            }
            if ((rest = under(path, layout.partitions())) != null) {
                int slash = rest.indexOf('/');
                if (slash > 0 && rest.indexOf('/', slash + 1) < 0) {
                    return new Kind(What.PARTITION, rest.substring(0, slash), ZkNames.parsePartitionId(rest.substring(slash + 1)));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("partition map: ignored znode {}: {}", path, e.getMessage());
        }
        return null;
    }

    private static String under(String path, String parent) {
        return path.startsWith(parent + "/") ? path.substring(parent.length() + 1) : null;
    }

    private static <T extends ZkRecord> T decode(byte[] data, Class<T> type, String path) {
        try {
            return ZkCodec.decode(data, type, path);
        } catch (SchemaException e) {
            LOG.warn("partition map: ignored {}: {}", path, e.getMessage());
            return null;
        }
    }

    // ---------------------------------------------------------------------------- merges

    /** Offers a copy of a keyspace znode; applied only if it is newer (see the class comment). */
    public void offerKeyspace(KeyspaceRecord r, int version, long czxid) {
        locked(() -> mergeKeyspace(r.name(), new ZnodeEntry<>(r, version, czxid)));
    }

    /** Offers a copy of a partition znode; applied only if it is newer (see the class comment). */
    public void offerPartition(PartitionRecord r, int version, long czxid) {
        locked(() -> mergePartition(new ZnodeEntry<>(r, version, czxid)));
    }

    public void offerRegistration(NodeRegistration r, int version, long czxid) {
        locked(() -> mergeRegistration(r.nodeId(), new ZnodeEntry<>(r, version, czxid)));
    }

    public void offerLive(String nodeId, long czxid) {
        locked(() -> mergeLive(nodeId, czxid));
    }

    private interface Merge {
        boolean apply();
    }

    private void locked(Merge m) {
        lock.lock();
        try {
            if (m.apply()) {
                publish();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code next} may replace {@code cur}, copies of the same partition znode: a newer
     * incarnation always; else a higher leader epoch; within an epoch a higher znode version.
     */
    public static boolean supersedes(ZnodeEntry<PartitionRecord> next, ZnodeEntry<PartitionRecord> cur) {
        if (cur == null) {
            return true;
        }
        if (next.czxid() != cur.czxid()) {
            return next.czxid() > cur.czxid();
        }
        if (next.value().leaderEpoch() != cur.value().leaderEpoch()) {
            return next.value().leaderEpoch() > cur.value().leaderEpoch();
        }
        return next.version() > cur.version();
    }

    private static <T> boolean newerZnode(ZnodeEntry<T> next, ZnodeEntry<T> cur) {
        return cur == null || next.czxid() > cur.czxid() || (next.czxid() == cur.czxid() && next.version() > cur.version());
    }

    private boolean mergePartition(ZnodeEntry<PartitionRecord> e) {
        Map<Integer, ZnodeEntry<PartitionRecord>> m = partitions.computeIfAbsent(e.value().keyspace(), k -> new HashMap<>());
        ZnodeEntry<PartitionRecord> cur = m.get(e.value().partitionId());
        if (!supersedes(e, cur)) {
            if (cur != null && e.value().leaderEpoch() < cur.value().leaderEpoch()) {
                LOG.debug("partition map: kept {}/{} at epoch {}; ignored a copy at older epoch {}",
                        e.value().keyspace(), e.value().partitionId(), cur.value().leaderEpoch(), e.value().leaderEpoch());
            }
            return false;
        }
        m.put(e.value().partitionId(), e);
        return true;
    }

    private boolean mergeKeyspace(String name, ZnodeEntry<KeyspaceRecord> e) {
        if (!newerZnode(e, keyspaces.get(name))) {
            return false;
        }
        keyspaces.put(name, e);
        return true;
    }

    private boolean mergeRegistration(String id, ZnodeEntry<NodeRegistration> e) {
        if (!newerZnode(e, registered.get(id))) {
            return false;
        }
        registered.put(id, e);
        return true;
    }

    private boolean mergeLive(String id, long czxid) {
        Long cur = live.get(id);
        if (cur != null && cur >= czxid) {
            return false;
        }
        live.put(id, czxid);
        return true;
    }

    /** Builds and publishes a new view. Caller holds the lock. */
    private void publish() {
        Map<String, KeyspaceRoutes> routes = new HashMap<>();
        for (ZnodeEntry<KeyspaceRecord> k : keyspaces.values()) {
            if (k.value().state() == KeyspaceState.DELETING) {
                continue; // no longer served: requests get KEYSPACE_NOT_FOUND
            }
            routes.put(k.value().name(), new KeyspaceRoutes(k.value(),
                    partitions.getOrDefault(k.value().name(), Map.of())));
        }
        Set<String> liveIds = new HashSet<>(live.keySet());
        generation++;
        view = new ClusterView(generation, routes, registered, liveIds);
        changed.signalAll();
    }

    @Override
    public String toString() {
        ClusterView v = view;
        return "PartitionMap[" + layout.root() + ", generation " + v.generation() + ", keyspaces "
                + v.keyspaces().keySet() + ", nodes " + Objects.requireNonNull(v.nodes()).keySet() + "]";
    }
}

package io.stratakv.zk.fence;

import io.stratakv.zk.records.ZkCodec;
import io.stratakv.zk.records.ZkRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One controller write: a ZooKeeper {@code multi} whose first operation is always a
 * {@code check} that {@code /controller/epoch} is still at the version this controller left when
 * it became active (DESIGN.md §2, KAFKA-6082). If another controller has bumped the epoch since,
 * the whole multi fails and nothing in it takes effect.
 *
 * <p>Updates and deletes are compare-and-set on the version the caller read. {@link #commit()}
 * tells from ZooKeeper's per-operation results which operation failed and why:
 * <ul>
 *   <li>the epoch check: {@link FencedOutException} (deposed: stop acting);</li>
 *   <li>a version check of another znode: {@link VersionConflictException} naming it;</li>
 *   <li>a create of an existing znode: {@link ZNodeExistsException}; an operation on a missing
 *       znode: {@link NoZNodeException};</li>
 *   <li>anything else: {@link ZkWriteFailedException}.</li>
 * </ul>
 *
 * <p>Paths are absolute (the client must not use a Curator namespace). Single use, not
 * thread-safe: build, commit once, drop.
 */
public final class FencedWrite {

    private enum Kind { CHECK, CREATE, SET_DATA, DELETE }

    private record Step(Kind kind, String path, byte[] data, CreateMode mode, int version) {
    }

    private final CuratorFramework client;
    private final ControllerFence fence;
    private final List<Step> steps = new ArrayList<>();
    private boolean committed;

    private FencedWrite(CuratorFramework client, ControllerFence fence) {
        this.client = Objects.requireNonNull(client, "client");
        this.fence = Objects.requireNonNull(fence, "fence");
    }

    /** Starts a write fenced by {@code fence}. */
    public static FencedWrite begin(CuratorFramework client, ControllerFence fence) {
        return new FencedWrite(client, fence);
    }

    /** Creates a persistent znode holding {@code record}. */
    public FencedWrite create(String path, ZkRecord record) {
        return create(path, ZkCodec.encode(record), CreateMode.PERSISTENT);
    }

    /** Creates a persistent znode holding {@code data}. */
    public FencedWrite create(String path, byte[] data) {
        return create(path, data, CreateMode.PERSISTENT);
    }

    /** Creates a znode of the given mode holding {@code data}. */
    public FencedWrite create(String path, byte[] data, CreateMode mode) {
        return add(new Step(Kind.CREATE, path, data.clone(), Objects.requireNonNull(mode, "mode"), -1));
    }

    /** Replaces the record at {@code path} if it is still at {@code expectedVersion}. */
    public FencedWrite update(String path, ZkRecord record, int expectedVersion) {
        return setData(path, ZkCodec.encode(record), expectedVersion);
    }

    /** Replaces the data at {@code path} if it is still at {@code expectedVersion}. */
    public FencedWrite setData(String path, byte[] data, int expectedVersion) {
        return add(new Step(Kind.SET_DATA, path, data.clone(), null, requireVersion(expectedVersion)));
    }

    /** Deletes {@code path} if it is still at {@code expectedVersion}. */
    public FencedWrite delete(String path, int expectedVersion) {
        return add(new Step(Kind.DELETE, path, null, null, requireVersion(expectedVersion)));
    }

    /** Commits only if {@code path} is still at {@code expectedVersion} (a read this write depends on). */
    public FencedWrite check(String path, int expectedVersion) {
        return add(new Step(Kind.CHECK, path, null, null, requireVersion(expectedVersion)));
    }

    /** The number of operations added (not counting the epoch check). */
    public int size() {
        return steps.size();
    }

    /**
     * Runs the multi. With no operations added it still runs the epoch check: a cheap way to
     * learn whether this controller is still the active one.
     *
     * @return the new version of every znode it created or updated
     */
    public Committed commit() throws FencedWriteException, InterruptedException {
        if (committed) {
            throw new IllegalStateException("this FencedWrite was already committed");
        }
        committed = true;
        List<CuratorOp> ops = new ArrayList<>(steps.size() + 1);
        try {
            TransactionOp tx = client.transactionOp();
            ops.add(tx.check().withVersion(fence.version()).forPath(fence.epochPath()));
            for (Step s : steps) {
                ops.add(switch (s.kind) {
                    case CHECK -> tx.check().withVersion(s.version).forPath(s.path);
                    case CREATE -> tx.create().withMode(s.mode).forPath(s.path, s.data);
                    case SET_DATA -> tx.setData().withVersion(s.version).forPath(s.path, s.data);
                    case DELETE -> tx.delete().withVersion(s.version).forPath(s.path);
                });
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the multi", e); // building does no I/O
        }
        List<CuratorTransactionResult> results;
        try {
            results = client.transaction().forOperations(ops);
        } catch (KeeperException e) {
            throw translate(e);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new ZkWriteFailedException(null, KeeperException.Code.SYSTEMERROR, e);
        }
        Map<String, Integer> versions = new LinkedHashMap<>();
        for (CuratorTransactionResult r : results) {
            if (r.getType() == OperationType.CREATE) {
                versions.put(r.getResultPath(), 0); // the created path: differs from the requested one if sequential
            } else if (r.getType() == OperationType.SET_DATA) {
                versions.put(r.getForPath(), r.getResultStat().getVersion());
            } else if (r.getType() == OperationType.DELETE) {
                versions.remove(r.getForPath());
            }
        }
        return new Committed(Collections.unmodifiableMap(versions));
    }

    /**
     * What a committed write left: the version of each znode it created (0; keyed by the created
     * path, which for a sequential mode has the sequence suffix) or updated.
     */
    public record Committed(Map<String, Integer> versions) {
        /** The new version of {@code path}, which this write created or updated. */
        public int version(String path) {
            Integer v = versions.get(path);
            if (v == null) {
                throw new IllegalArgumentException(path + " was not created or updated by this write");
            }
            return v;
        }
    }

    /**
     * ZooKeeper reports a failed multi with one result per operation: OK for those before the
     * failure, the error for the failing one, RUNTIMEINCONSISTENCY for those after. Operation 0
     * is the epoch check; operation i > 0 is {@code steps[i - 1]}.
     */
    private FencedWriteException translate(KeeperException e) {
        List<OpResult> results = e.getResults();
        int failed = -1;
        KeeperException.Code code = e.code();
        if (results != null) {
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult err && err.getErr() != KeeperException.Code.OK.intValue()) {
                    failed = i;
                    code = KeeperException.Code.get(err.getErr());
                    break;
                }
            }
        }
        if (failed == 0) {
            if (code == KeeperException.Code.BADVERSION || code == KeeperException.Code.NONODE) {
                return new FencedOutException(fence.epochPath(), fence.epoch(), fence.version(), e);
            }
            return new ZkWriteFailedException(fence.epochPath(), code, e);
        }
        if (failed < 0) {
            // Not a per-operation failure (connection or session trouble): nothing to attribute.
            return new ZkWriteFailedException(e.getPath(), code, e);
        }
        Step s = steps.get(failed - 1);
        return switch (code) {
            case BADVERSION -> new VersionConflictException(s.path, s.version, e);
            case NODEEXISTS -> new ZNodeExistsException(s.path, e);
            case NONODE -> new NoZNodeException(s.path, s.kind == Kind.CREATE, e);
            default -> new ZkWriteFailedException(s.path, code, e);
        };
    }

    private FencedWrite add(Step step) {
        if (committed) {
            throw new IllegalStateException("this FencedWrite was already committed");
        }
        Objects.requireNonNull(step.path, "path");
        steps.add(step);
        return this;
    }

    private static int requireVersion(int version) {
        if (version < 0) {
            throw new IllegalArgumentException("expected version " + version
                    + " is negative: fenced writes are always compare-and-set on a version that was read");
        }
        return version;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("FencedWrite[epoch ").append(fence.epoch())
                .append(" @v").append(fence.version());
        for (Step s : steps) {
            b.append(", ").append(s.kind).append(' ').append(s.path);
            if (s.version >= 0) {
                b.append(" @v").append(s.version);
            }
        }
        return b.append(']').toString();
    }
}

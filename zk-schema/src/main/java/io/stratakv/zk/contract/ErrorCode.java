package io.stratakv.zk.contract;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * The stable, machine-readable error codes of every StrataKV HTTP API (public data API on the
 * balancer and the nodes, the nodes' internal API, the controller's admin API). A code's name
 * never changes and is never reused for another meaning; clients branch on it, never on the
 * message. Each code has the HTTP status it is answered with and whether retrying the same
 * request (with the same client request id, for writes) can succeed.
 *
 * <p>Forward compatibility: a client that receives a code it does not know (sent by a newer
 * server) decodes it as {@link #UNKNOWN} and keeps the body's own {@code retryable} flag.
 */
public enum ErrorCode {

    // ---- 400: the request itself is wrong; retrying it unchanged cannot succeed ----

    /** 400. A parameter or body field is missing, malformed or out of range; the message says which. */
    INVALID_ARGUMENT(400, false),
    /** 400. A keyspace name does not match {@code [a-z0-9][a-z0-9_-]{0,62}}. */
    INVALID_KEYSPACE_NAME(400, false),
    /** 400. A node id does not match {@code [a-z0-9][a-z0-9_-]{0,62}}. */
    INVALID_NODE_ID(400, false),
    /** 400. A cluster name does not match {@code [a-z0-9][a-z0-9_-]{0,62}}. */
    INVALID_CLUSTER_NAME(400, false),
    /** 400. A partition id is negative or not a canonical decimal integer. */
    INVALID_PARTITION_ID(400, false),
    /** 400. A key is longer than the configured maximum (checked before anything is allocated for it). */
    KEY_TOO_LARGE(400, false),

    // ---- 401/403: security ----

    /** 401. The endpoint requires credentials and none (or invalid ones) were given. */
    UNAUTHENTICATED(401, false),
    /** 403. The credentials are valid but do not allow this operation. */
    FORBIDDEN(403, false),

    // ---- 404: the named thing does not exist ----

    /** 404. No such route or resource. */
    NOT_FOUND(404, false),
    /** 404. A GET named a key that has no live value. */
    KEY_NOT_FOUND(404, false),
    /** 404. The named keyspace does not exist (or is being deleted). */
    KEYSPACE_NOT_FOUND(404, false),
    /** 404. The named partition does not exist in its keyspace (for instance it was split). */
    PARTITION_NOT_FOUND(404, false),
    /** 404. The named node is not registered. */
    NODE_NOT_FOUND(404, false),

    // ---- 409: conflicts with the current state ----

    /** 409. A keyspace with that name already exists. */
    KEYSPACE_EXISTS(409, false),
    /** 409. The replication factor exceeds the number of active nodes able to hold a replica. */
    NOT_ENOUGH_NODES(409, false),
    /**
     * 409. The request names an epoch (leader epoch or controller epoch) older than the
     * receiver's. Retry after rereading the partition map or {@code /controller/epoch}.
     */
    STALE_EPOCH(409, true),
    /**
     * 409. The receiving replica has been fenced at a newer epoch (an election or replica change
     * is in progress) and serves nothing for its old epoch until it learns the outcome.
     */
    FENCED(409, true),
    /**
     * 409. A control operation lost a compare-and-set race with another change of the same
     * znode. Retrying rereads the current state.
     */
    CONCURRENT_MODIFICATION(409, true),
    /** 409. Another operation on the same object (a reassignment, a split) is still in progress. */
    OPERATION_IN_PROGRESS(409, true),
    /**
     * 409. A planned leadership transfer named a target that cannot take over now. The details
     * carry {@code target} and {@code reason}: {@code not_a_voter}, {@code not_active} (its node is
     * not ACTIVE) or {@code behind} (not among the most up-to-date replicas; retry once it caught up).
     */
    TARGET_NOT_ELIGIBLE(409, true),
    /**
     * 409. Internal replication only: the follower cannot continue from its log, because its fetch
     * offset is below the leader's log start or the leader no longer has any epoch the follower's
     * log ends in (their histories share no origin the leader can name). The follower installs a
     * snapshot of the leader's partition and fetches from there. Details carry {@code logStart}.
     */
    SNAPSHOT_NEEDED(409, true),

    // ---- 412/413: preconditions and sizes ----

    /** 412. A compare-and-set write named a version that is not the key's current version. */
    PRECONDITION_FAILED(412, false),
    /** 413. A value is longer than the configured maximum. */
    VALUE_TOO_LARGE(413, false),
    /** 413. A request body (or batch) is larger than the configured maximum; rejected before it is read. */
    BODY_TOO_LARGE(413, false),

    // ---- 421: sent to the wrong server ----

    /**
     * 421. This node is not the leader of the partition (or not at the epoch the request names).
     * The details carry {@code leader}, {@code leaderEpoch} and, when known, {@code leaderAddress}.
     */
    NOT_LEADER(421, true),
    /**
     * 421. This controller is not (or no longer) the active one. The details carry
     * {@code activeController} when known.
     */
    NOT_ACTIVE_CONTROLLER(421, true),

    // ---- 429/5xx: transient ----

    /** 429. The receiver is applying back-pressure (for instance compaction is behind). Answered with Retry-After. */
    OVERLOADED(429, true),
    /** 500. A bug or an unexpected failure; the message and the server log say more. */
    INTERNAL(500, false),
    /** 503. The partition has no leader that can serve this request now (election, no majority). Answered with Retry-After. */
    PARTITION_UNAVAILABLE(503, true),
    /** 503. The server cannot reach ZooKeeper and so cannot act safely. Answered with Retry-After. */
    ZOOKEEPER_UNAVAILABLE(503, true),
    /**
     * 503. Never sent by a server: what a client reports when no endpoint it was given (balancer,
     * controller) answered before the call's deadline: connection refused or lost, or no HTTP
     * answer. The Java client reports a write that may have reached a balancer as
     * {@link #TIMEOUT_UNKNOWN_OUTCOME} instead.
     */
    UNREACHABLE(503, true),
    /**
     * 503. The partition is splitting or has split (DESIGN.md §5): it takes no more writes (and,
     * once retired, no reads); its two children take over its range. Nothing was applied. Retry
     * after rereading the partition map; answered with Retry-After. The details carry
     * {@code lower} and {@code upper}, the children's partition ids, when known.
     */
    PARTITION_SPLIT(503, true),
    /**
     * 504. The deadline passed before the outcome was known: the write may or may not have
     * been applied. Never reported as a failure. Retrying with the same client request id is
     * safe (it applies at most once).
     */
    TIMEOUT_UNKNOWN_OUTCOME(504, true),
    /**
     * 504. An {@code ALL} write did not reach every replica before its deadline. The details say
     * {@code committed}: {@code "true"} (it is durable on a majority and will not be lost),
     * {@code "false"} or {@code "unknown"}.
     */
    REPLICATION_INCOMPLETE(504, true),

    /**
     * Never sent. What a client decodes a code it does not know into (a newer server sent it);
     * trust the body's {@code retryable} flag.
     */
    UNKNOWN(500, false);

    private final int httpStatus;
    private final boolean retryable;

    ErrorCode(int httpStatus, boolean retryable) {
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    /** The HTTP status this code is answered with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the same request, retried (after the action the code's javadoc names), can succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** Decodes a code by name; a name this version does not know becomes {@link #UNKNOWN}. */
    @JsonCreator
    public static ErrorCode fromName(String name) {
        if (name == null) {
            return UNKNOWN;
        }
        for (ErrorCode c : values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return UNKNOWN;
    }
}

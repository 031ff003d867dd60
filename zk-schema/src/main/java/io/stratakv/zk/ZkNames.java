package io.stratakv.zk;

import io.stratakv.zk.contract.ErrorCode;

import java.util.regex.Pattern;

/**
 * The names StrataKV puts into znode paths. Cluster names, node ids and keyspace names match
 * {@value #NAME_REGEX}: lower-case, no dots or slashes (so never {@code .}, {@code ..} or a path
 * separator), at most {@value #MAX_NAME_LENGTH} characters, safe in a URL path segment, a file
 * name and a metric label without escaping. Partition ids are non-negative ints written as
 * canonical decimal ({@code 0}, {@code 17}, never {@code 017} or {@code +1}).
 */
public final class ZkNames {

    public static final String NAME_REGEX = "[a-z0-9][a-z0-9_-]{0,62}";
    public static final int MAX_NAME_LENGTH = 63;
    private static final Pattern NAME = Pattern.compile(NAME_REGEX);

    private ZkNames() {
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Returns {@code cluster} if valid, else throws with {@link ErrorCode#INVALID_CLUSTER_NAME}. */
    public static String requireCluster(String cluster) {
        return require(cluster, ErrorCode.INVALID_CLUSTER_NAME, "cluster name");
    }

    /** Returns {@code nodeId} if valid, else throws with {@link ErrorCode#INVALID_NODE_ID}. */
    public static String requireNodeId(String nodeId) {
        return require(nodeId, ErrorCode.INVALID_NODE_ID, "node id");
    }

    /** Returns {@code keyspace} if valid, else throws with {@link ErrorCode#INVALID_KEYSPACE_NAME}. */
    public static String requireKeyspace(String keyspace) {
        return require(keyspace, ErrorCode.INVALID_KEYSPACE_NAME, "keyspace name");
    }

    /** Returns {@code partitionId} if non-negative, else throws with {@link ErrorCode#INVALID_PARTITION_ID}. */
    public static int requirePartitionId(int partitionId) {
        if (partitionId < 0) {
            throw new InvalidNameException(ErrorCode.INVALID_PARTITION_ID, Integer.toString(partitionId),
                    "partition id " + partitionId + " is negative");
        }
        return partitionId;
    }

    /**
     * Parses a partition id as it appears in a znode name or URL: canonical decimal only, so that
     * one partition has exactly one path.
     */
    public static int parsePartitionId(String text) {
        if (text == null || text.isEmpty() || text.length() > 10
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || (text.length() > 1 && text.charAt(0) == '0')) {
            throw new InvalidNameException(ErrorCode.INVALID_PARTITION_ID, text,
                    "partition id " + quote(text) + " is not a canonical non-negative decimal integer");
        }
        long v = Long.parseLong(text);
        if (v > Integer.MAX_VALUE) {
            throw new InvalidNameException(ErrorCode.INVALID_PARTITION_ID, text,
                    "partition id " + text + " is larger than " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    private static String require(String name, ErrorCode code, String what) {
        if (!isValidName(name)) {
            throw new InvalidNameException(code, name,
                    what + " " + quote(name) + " must match " + NAME_REGEX
                            + " (lower-case letters, digits, '_' and '-', starting with a letter or digit, at most "
                            + MAX_NAME_LENGTH + " characters)");
        }
        return name;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}

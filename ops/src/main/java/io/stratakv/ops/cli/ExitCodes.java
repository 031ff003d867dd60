package io.stratakv.ops.cli;

import io.stratakv.client.StrataException;

/**
 * The client commands' exit codes: 0 ok; 1 not found or failed precondition; 2 usage (also a
 * request the server refused as malformed); 3 unavailable or any other error.
 */
final class ExitCodes {

    static final int OK = 0;
    static final int NOT_FOUND_OR_PRECONDITION = 1;
    static final int USAGE = 2;
    static final int ERROR = 3;

    private ExitCodes() {
    }

    static int of(StrataException e) {
        return switch (e.code()) {
            case KEY_NOT_FOUND, KEYSPACE_NOT_FOUND, PARTITION_NOT_FOUND, NODE_NOT_FOUND, NOT_FOUND,
                 PRECONDITION_FAILED, KEYSPACE_EXISTS -> NOT_FOUND_OR_PRECONDITION;
            case INVALID_ARGUMENT, INVALID_KEYSPACE_NAME, INVALID_PARTITION_ID, INVALID_NODE_ID, INVALID_CLUSTER_NAME,
                 KEY_TOO_LARGE, VALUE_TOO_LARGE, BODY_TOO_LARGE -> USAGE;
            default -> ERROR;
        };
    }
}

package io.stratakv.zk.fence;

/**
 * Why a {@link FencedWrite} did not commit. The multi is atomic: whatever the subclass, none of
 * its operations took effect (except where {@link ZkWriteFailedException#outcomeUnknown()} says
 * the outcome is not known).
 */
public abstract sealed class FencedWriteException extends Exception
        permits FencedOutException, VersionConflictException, ZNodeExistsException, NoZNodeException,
        ZkWriteFailedException {

    private final String path;

    FencedWriteException(String path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** The znode whose operation failed. */
    public String path() {
        return path;
    }
}

package io.stratakv.zk.fence;

/**
 * A compare-and-set lost: the znode is no longer at the version the write expected (someone else
 * changed it after it was read). Reread it and decide again. Note that after a connection loss
 * Curator may have retried a multi that had in fact committed; the retry then fails here, so a
 * conflict is a reason to reread, never proof that the write did not happen.
 */
public final class VersionConflictException extends FencedWriteException {

    private final int expectedVersion;

    public VersionConflictException(String path, int expectedVersion, Throwable cause) {
        super(path, "version conflict on " + path + ": expected version " + expectedVersion
                + ", but it was changed concurrently; reread it", cause);
        this.expectedVersion = expectedVersion;
    }

    public int expectedVersion() {
        return expectedVersion;
    }
}

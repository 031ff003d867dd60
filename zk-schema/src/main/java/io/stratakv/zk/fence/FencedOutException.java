package io.stratakv.zk.fence;

/**
 * The controller epoch moved on (another controller became active) or its znode is gone: this
 * controller is deposed. It must stop acting at once (release leadership, drop its in-memory
 * view) and never retry the write.
 */
public final class FencedOutException extends FencedWriteException {

    private final long epoch;
    private final int fencedVersion;

    public FencedOutException(String epochPath, long epoch, int fencedVersion, Throwable cause) {
        super(epochPath, "controller epoch " + epoch + " is fenced out: " + epochPath
                + " is no longer at version " + fencedVersion + " (another controller became active); stop acting", cause);
        this.epoch = epoch;
        this.fencedVersion = fencedVersion;
    }

    /** The controller epoch that was deposed. */
    public long epoch() {
        return epoch;
    }

    /** The {@code /controller/epoch} version the write was fenced on. */
    public int fencedVersion() {
        return fencedVersion;
    }
}

package io.stratakv.zk.fence;

/**
 * An operation in the multi named a znode that does not exist (for a create: its parent does
 * not exist). {@link #path()} is the path of the operation.
 */
public final class NoZNodeException extends FencedWriteException {
    public NoZNodeException(String path, boolean parentMissing, Throwable cause) {
        super(path, parentMissing ? "cannot create " + path + ": its parent does not exist"
                : path + " does not exist", cause);
    }
}

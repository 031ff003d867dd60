package io.stratakv.zk.fence;

/** A create in the multi named a znode that already exists. */
public final class ZNodeExistsException extends FencedWriteException {
    public ZNodeExistsException(String path, Throwable cause) {
        super(path, "cannot create " + path + ": it already exists", cause);
    }
}

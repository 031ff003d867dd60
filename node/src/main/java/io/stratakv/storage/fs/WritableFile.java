package io.stratakv.storage.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** An append-only handle. Not thread-safe: callers serialise appends. */
public interface WritableFile extends Closeable {

    /** Appends all remaining bytes of src (to the OS, not yet durable). */
    void append(ByteBuffer src) throws IOException;

    /** Makes everything appended so far durable (fsync). May be called from another thread than append. */
    void sync() throws IOException;

    /** Current length, including unsynced bytes. */
    long size() throws IOException;

    /** Cuts the file to length (must be ≤ size) and positions appends there. */
    void truncate(long length) throws IOException;

    @Override
    void close() throws IOException;
}

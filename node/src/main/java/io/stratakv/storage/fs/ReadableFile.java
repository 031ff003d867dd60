package io.stratakv.storage.fs;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A positional-read handle. Thread-safe: reads carry their own position. */
public interface ReadableFile extends Closeable {

    /** Reads up to dst.remaining() bytes at position; returns the count, or -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;

    long size() throws IOException;

    /** Reads exactly dst.remaining() bytes or throws EOFException. */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = read(dst, pos);
            if (n < 0) {
                throw new EOFException("end of file at " + pos + " while reading " + dst.remaining() + " more bytes");
            }
            pos += n;
        }
    }

    @Override
    void close() throws IOException;
}

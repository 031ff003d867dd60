package io.stratakv.storage.sstable;

import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.WritableFile;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** A file held in a byte array, writable by appends and readable by position; counts reads and closes. */
final class MemoryFile implements WritableFile, ReadableFile {

    private byte[] data;
    private int length;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    MemoryFile() {
        this.data = new byte[1024];
    }

    MemoryFile(byte[] contents) {
        this.data = contents.clone();
        this.length = contents.length;
    }

    byte[] bytes() {
        return Arrays.copyOf(data, length);
    }

    @Override
    public synchronized void append(ByteBuffer src) {
        int n = src.remaining();
        if (length + n > data.length) {
            data = Arrays.copyOf(data, Math.max(length + n, data.length * 2));
        }
        src.get(data, length, n);
        length += n;
    }

    @Override
    public void sync() {
    }

    @Override
    public synchronized long size() {
        return length;
    }

    @Override
    public synchronized void truncate(long newLength) {
        length = (int) newLength;
    }

    @Override
    public synchronized int read(ByteBuffer dst, long position) {
        reads.incrementAndGet();
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), length - position);
        dst.put(data, (int) position, n);
        return n;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}

package io.stratakv.ops.bench;

/**
 * What the engine benchmark needs from a storage engine. StrataKV's engine and RocksDB sit behind
 * it so that one harness drives both with the same operations in the same order.
 *
 * <p>One thread at a time calls the write methods; readwhilewriting adds one reader thread, so
 * get and scan must be safe concurrently with put. Arrays handed to put may be kept by the engine:
 * callers never reuse them.
 */
public interface BenchEngine extends AutoCloseable {

    void put(byte[] key, byte[] value);

    /** The value of key, or null if absent. */
    byte[] get(byte[] key);

    void delete(byte[] key);

    /** A forward scan from fromInclusive (null: the first key) to the end of the key space. */
    Cursor scan(byte[] fromInclusive);

    /** Writes every memtable out to files and waits for that. */
    void flush();

    /** Waits until the engine has no compaction left to do. */
    void waitForCompactions();

    /** Bytes of the files that hold the current data (SSTables of the current version). */
    long liveFileBytes();

    /** Bytes the engine has written to files since it was opened: log or WAL, flushes, compactions. */
    long bytesWrittenToFiles();

    @Override
    void close();

    /** A forward cursor; call next() before the first key(). */
    interface Cursor extends AutoCloseable {

        boolean next();

        byte[] key();

        byte[] value();

        @Override
        void close();
    }
}

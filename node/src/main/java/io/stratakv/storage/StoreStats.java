package io.stratakv.storage;

/**
 * Counters for amplification: userBytesWritten counts key+value bytes handed to put/delete;
 * logBytesWritten, flushBytesWritten and compactionBytesWritten count bytes the engine wrote to
 * files; liveSstBytes is the size of the SSTables in the current version.
 */
public record StoreStats(long userBytesWritten, long logBytesWritten, long flushBytesWritten,
                         long compactionBytesWritten, long liveSstBytes, long memtableBytes,
                         long[] levelBytes, long[] levelFiles) {

    /** Bytes written to files per user byte. */
    public double writeAmplification() {
        return userBytesWritten == 0 ? 0 : (double) (logBytesWritten + flushBytesWritten + compactionBytesWritten) / userBytesWritten;
    }
}

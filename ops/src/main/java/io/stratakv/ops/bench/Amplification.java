package io.stratakv.ops.bench;

/**
 * Space and write amplification of one database, measured after its memtables were flushed and
 * its compactions finished.
 *
 * @param liveFileBytes       bytes of the SSTables of the current version
 * @param logicalBytes        N × (16 + 100): the live user data
 * @param bytesWrittenToFiles every byte the engine wrote to files since the database was created:
 *                            log/WAL, flushes and compactions
 * @param userBytes           key and value bytes the benchmark handed to put and delete on this
 *                            database, its preparation included
 */
public record Amplification(long liveFileBytes, long logicalBytes, long bytesWrittenToFiles, long userBytes) {

    public double space() {
        return logicalBytes == 0 ? 0 : (double) liveFileBytes / logicalBytes;
    }

    public double write() {
        return userBytes == 0 ? 0 : (double) bytesWrittenToFiles / userBytes;
    }
}

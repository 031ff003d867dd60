package io.stratakv.storage.log;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one partition log. Sizes in bytes.
 *
 * @param segmentBytes   a segment rolls when the next write would take it past this size (a single
 *                       write larger than this gets a segment of its own); 64 B to 1 GiB
 * @param maxRecordBytes largest payload an append accepts; larger ones fail with RECORD_TOO_LARGE;
 *                       0 to {@link #MAX_RECORD_BYTES_LIMIT}
 * @param fsyncPolicy    when appended records are fsynced
 * @param fsyncInterval  period of the background fsync under {@link FsyncPolicy#INTERVAL}
 */
public record LogConfig(long segmentBytes, int maxRecordBytes, FsyncPolicy fsyncPolicy, Duration fsyncInterval) {

    /**
     * The largest payload the format admits, whatever maxRecordBytes says. The decoder caps length
     * fields at this value rather than at the configured maximum, so lowering maxRecordBytes never
     * turns stored records into "corruption" or a "torn tail".
     */
    public static final int MAX_RECORD_BYTES_LIMIT = 64 << 20;

    /** Segments above 1 GiB would let a segment plus one batch pass 2 GiB, the sparse index's int positions. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    public static final long MIN_SEGMENT_BYTES = 64;

    public LogConfig {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw invalid("segmentBytes must be in [" + MIN_SEGMENT_BYTES + ", " + MAX_SEGMENT_BYTES + "]: " + segmentBytes);
        }
        if (maxRecordBytes < 0 || maxRecordBytes > MAX_RECORD_BYTES_LIMIT) {
            throw invalid("maxRecordBytes must be in [0, " + MAX_RECORD_BYTES_LIMIT + "]: " + maxRecordBytes);
        }
        if (fsyncPolicy == FsyncPolicy.INTERVAL && (fsyncInterval.isNegative() || fsyncInterval.isZero())) {
            throw invalid("fsyncInterval must be positive under INTERVAL: " + fsyncInterval);
        }
    }

    /** 128 MiB segments, 8 MiB records, fsync every 50 ms in the background. */
    public static LogConfig defaults() {
        return new LogConfig(128L << 20, 8 << 20, FsyncPolicy.INTERVAL, Duration.ofMillis(50));
    }

    public LogConfig withSegmentBytes(long v) {
        return new LogConfig(v, maxRecordBytes, fsyncPolicy, fsyncInterval);
    }

    public LogConfig withMaxRecordBytes(int v) {
        return new LogConfig(segmentBytes, v, fsyncPolicy, fsyncInterval);
    }

    public LogConfig withFsyncPolicy(FsyncPolicy v) {
        return new LogConfig(segmentBytes, maxRecordBytes, v, fsyncInterval);
    }

    public LogConfig withFsyncInterval(Duration v) {
        return new LogConfig(segmentBytes, maxRecordBytes, fsyncPolicy, v);
    }

    private static StorageException invalid(String message) {
        return new StorageException(StorageErrorCode.INVALID_ARGUMENT, message);
    }
}

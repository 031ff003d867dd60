package io.stratakv.storage.log;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The log's metrics, or nothing when no registry is given. Metrics are get-or-create by name, so
 * all logs of a node share them: the segment count is a Counter (the sum over logs), not a Gauge
 * that only the first log could register.
 */
final class LogMetrics {

    static final String FSYNC = "log.fsync";
    static final String APPENDED_BYTES = "log.appended-bytes";
    static final String APPENDED_RECORDS = "log.appended-records";
    static final String SEGMENTS = "log.segments";

    private final Timer fsync;
    /** This log's own fsync timer ({@code <prefix>.log.fsync}), or null without a prefix. */
    private final Timer partitionFsync;
    private final Meter bytes;
    private final Meter records;
    private final Counter segments;

    LogMetrics(MetricRegistry registry) {
        this(registry, null);
    }

    /** @param prefix also time this log's fsyncs alone under {@code <prefix>.log.fsync} (null: node-wide only) */
    LogMetrics(MetricRegistry registry, String prefix) {
        partitionFsync = registry == null || prefix == null || prefix.isEmpty() ? null
                : registry.timer(prefix + "." + FSYNC);
        if (registry == null) {
            fsync = null;
            bytes = null;
            records = null;
            segments = null;
        } else {
            fsync = registry.timer(FSYNC);
            bytes = registry.meter(APPENDED_BYTES);
            records = registry.meter(APPENDED_RECORDS);
            segments = registry.counter(SEGMENTS);
        }
    }

    void fsync(long nanos) {
        if (fsync != null) {
            fsync.update(nanos, TimeUnit.NANOSECONDS);
        }
        if (partitionFsync != null) {
            partitionFsync.update(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void appended(int recordCount, long byteCount) {
        if (bytes != null) {
            bytes.mark(byteCount);
            records.mark(recordCount);
        }
    }

    void segments(int delta) {
        if (segments != null) {
            segments.inc(delta);
        }
    }
}

package io.stratakv.storage.log;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;
import org.assertj.core.api.ThrowableAssert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Shared helpers of the log tests. */
final class LogTesting {

    static final Path DIR = Path.of("/data/ks/p0/log");

    private LogTesting() {
    }

    static LogConfig config(FsyncPolicy policy, long segmentBytes) {
        return LogConfig.defaults().withFsyncPolicy(policy).withSegmentBytes(segmentBytes)
                .withFsyncInterval(Duration.ofHours(1)).withMaxRecordBytes(1 << 20);
    }

    static PartitionLog open(StorageFs fs, LogConfig config) {
        return PartitionLog.open(fs, DIR, config, null);
    }

    static byte[] payload(long i) {
        return ("record-" + i + "-" + "x".repeat((int) (i % 37))).getBytes(StandardCharsets.UTF_8);
    }

    static List<LogRecord> readAll(PartitionLog log) {
        List<LogRecord> out = new ArrayList<>();
        long at = log.startOffset();
        while (at < log.endOffset()) {
            List<LogRecord> got = log.read(at, 64 << 10);
            assertThat(got).isNotEmpty();
            out.addAll(got);
            at = got.get(got.size() - 1).offset() + 1;
        }
        return out;
    }

    static Path segmentPath(long base) {
        return DIR.resolve(Segment.fileName(base));
    }

    static List<String> segmentFiles(StorageFs fs) throws IOException {
        return fs.list(DIR).stream().filter(n -> n.endsWith(".log")).toList();
    }

    /** Replaces a file's contents durably (as a disk's own corruption would be). */
    static void overwrite(CrashSimulatingFs fs, Path file, byte[] contents) throws IOException {
        try (WritableFile w = fs.create(file)) {
            w.append(ByteBuffer.wrap(contents));
            w.sync();
        }
        fs.syncDir(file.getParent());
    }

    static void killAndCrash(PartitionLog log, CrashSimulatingFs fs) {
        log.kill();
        fs.crash();
    }

    static void assertCode(StorageErrorCode code, ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).as(e.getMessage()).isEqualTo(code));
    }

    /** A bounded wait for a condition another thread brings about (no sleeping to win a race). */
    static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}

package io.stratakv.storage.log;

import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static io.stratakv.storage.log.LogTesting.DIR;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.payload;
import static io.stratakv.storage.log.LogTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * LOG_FORMAT.md is true: files written by the log are decoded here by the layout the page gives,
 * with ByteBuffer and CRC32C only, none of the log's own decoding code.
 */
class LogFormatDocTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    /** The decoder of LOG_FORMAT.md, "Record frame". */
    private static List<LogRecord> decodeSegment(byte[] file, long baseOffset) {
        ByteBuffer b = ByteBuffer.wrap(file); // big-endian
        List<LogRecord> out = new ArrayList<>();
        long expectedOffset = baseOffset;
        while (b.hasRemaining()) {
            int start = b.position();
            int length = b.getInt();
            int crc = b.getInt();
            long offset = b.getLong();
            long epoch = b.getLong();
            byte[] payload = new byte[length];
            b.get(payload);
            CRC32C c = new CRC32C();
            c.update(file, start, 4);                         // bytes 0-3
            c.update(file, start + 8, 16 + length);           // bytes 8 to the end of the frame
            assertThat((int) c.getValue()).as("crc of frame at %d", start).isEqualTo(crc);
            assertThat(offset).isEqualTo(expectedOffset++);
            out.add(new LogRecord(offset, epoch, payload));
        }
        return out;
    }

    /** The decoder of LOG_FORMAT.md, "leader-epochs". */
    private static List<EpochEntry> decodeEpochFile(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        assertThat(b.getInt()).isEqualTo(0x534B5645);
        assertThat(new String(file, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("SKVE");
        assertThat(b.getInt()).isEqualTo(1);
        int count = b.getInt();
        assertThat(file).hasSize(16 + 16 * count);
        List<EpochEntry> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new EpochEntry(b.getLong(), b.getLong()));
        }
        CRC32C c = new CRC32C();
        c.update(file, 0, file.length - 4);
        assertThat(b.getInt()).isEqualTo((int) c.getValue());
        assertThat(b.hasRemaining()).isFalse();
        return out;
    }

    /** The decoder of LOG_FORMAT.md, "log-start-offset". */
    private static long decodeStartFile(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        assertThat(file).hasSize(20);
        assertThat(new String(file, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("SKVS");
        b.getInt();
        assertThat(b.getInt()).isEqualTo(1);
        long start = b.getLong();
        CRC32C c = new CRC32C();
        c.update(file, 0, 16);
        assertThat(b.getInt()).isEqualTo((int) c.getValue());
        return start;
    }

    @Test
    void segmentsEpochFileAndStartFileDecodeAsDocumented() throws Exception {
        List<LogRecord> expected;
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 400))) {
            for (int i = 0; i < 30; i++) {
                log.append(i < 12 ? 1 : i < 20 ? 4 : 7, payload(i));
            }
            log.appendBatch(7, List.of(new byte[0], new byte[]{1, 2, 3}));
            log.truncatePrefix(9);
            expected = readAll(log);
        }
        List<String> names = fs.list(DIR).stream().filter(n -> n.endsWith(".log")).toList();
        List<LogRecord> decoded = new ArrayList<>();
        long nextBase = -1;
        for (String name : names) {
            assertThat(name).matches("\\d{20}\\.log");
            long base = Long.parseLong(name.substring(0, 20));
            if (nextBase >= 0) {
                assertThat(base).as("segments are contiguous").isEqualTo(nextBase);
            }
            List<LogRecord> records = decodeSegment(fs.readAll(DIR.resolve(name)), base);
            decoded.addAll(records);
            nextBase = base + records.size();
        }
        long start = decodeStartFile(fs.readAll(DIR.resolve("log-start-offset")));
        assertThat(start).isEqualTo(9);
        assertThat(decoded.stream().filter(r -> r.offset() >= start).toList()).isEqualTo(expected);
        assertThat(decodeEpochFile(fs.readAll(DIR.resolve("leader-epochs"))))
                .containsExactly(new EpochEntry(1, 9), new EpochEntry(4, 12), new EpochEntry(7, 20));
    }

    @Test
    void aFrameIsTwentyFourBytesPlusThePayload() throws Exception {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(2, new byte[]{(byte) 0xAB});
        }
        byte[] seg = fs.readAll(DIR.resolve("00000000000000000000.log"));
        assertThat(seg).hasSize(25);
        ByteBuffer b = ByteBuffer.wrap(seg);
        assertThat(b.getInt(0)).isEqualTo(1);
        assertThat(b.getLong(8)).isZero();
        assertThat(b.getLong(16)).isEqualTo(2);
        assertThat(seg[24]).isEqualTo((byte) 0xAB);
    }

    @Test
    void anAllZeroFrameNeverPassesItsChecksum() {
        CRC32C c = new CRC32C();
        c.update(new byte[20]);
        assertThat((int) c.getValue()).isNotZero();
        RecordFrame.Header h = new RecordFrame.Header();
        assertThat(RecordFrame.decode(new byte[64], 0, 64, 100, h)).isEqualTo(RecordFrame.Status.BAD_CHECKSUM);
    }

    @Test
    void segmentNamesAreTwentyDigits() {
        assertThat(Segment.fileName(0)).isEqualTo("00000000000000000000.log");
        assertThat(Segment.fileName(Long.MAX_VALUE)).isEqualTo("09223372036854775807.log");
        assertThat(Segment.parseBaseOffset("00000000000000012345.log")).isEqualTo(12345);
        assertThat(Segment.parseBaseOffset("0000000000000001234.log")).isEqualTo(-1);
        assertThat(Segment.parseBaseOffset("0000000000000001234x.log")).isEqualTo(-1);
        assertThat(Segment.parseBaseOffset("99999999999999999999.log")).isEqualTo(-1);
        assertThat(Segment.parseBaseOffset("20000000000000000000.log")).isEqualTo(-1);
        assertThat(Segment.parseBaseOffset("leader-epochs")).isEqualTo(-1);
        assertThat(Path.of(Segment.fileName(7)).toString()).endsWith(".log");
    }
}

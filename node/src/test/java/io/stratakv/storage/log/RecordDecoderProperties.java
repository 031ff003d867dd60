package io.stratakv.storage.log;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.stratakv.storage.log.LogTesting.DIR;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoders never trust their input: random and mutated bytes give a status or a
 * CorruptionException, never an IndexOutOfBounds, a NegativeArraySize or an allocation sized by a
 * damaged length field.
 */
class RecordDecoderProperties {

    /** Length fields worth trying: edges of int, the cap, just past the bytes there. */
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Arbitraries.integers(),
                Arbitraries.of(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFFFFF0,
                        LogConfig.MAX_RECORD_BYTES_LIMIT, LogConfig.MAX_RECORD_BYTES_LIMIT + 1, 100, 101, 4096));
    }

    @Property(tries = 2000, seed = "20251126")
    void decodeOfArbitraryBytesReturnsAStatus(@ForAll @Size(max = 300) byte[] bytes,
                                              @ForAll @IntRange(max = 300) int off,
                                              @ForAll("lengths") int lengthField,
                                              @ForAll boolean plantLength,
                                              @ForAll @IntRange(max = 1 << 20) int cap) {
        Assume.that(off <= bytes.length);
        if (plantLength && bytes.length - off >= 4) {
            Coding.putInt(bytes, off, lengthField);
        }
        RecordFrame.Header h = new RecordFrame.Header();
        RecordFrame.Status s = RecordFrame.decode(bytes, off, bytes.length - off, cap, h);
        assertThat(s).isNotNull();
        if (s == RecordFrame.Status.COMPLETE) {
            assertThat(h.payloadLength).isBetween(0, Math.min(cap, bytes.length - off - RecordFrame.HEADER_BYTES));
        }
    }

    @Property(tries = 2000, seed = "20251126")
    void aMutatedFrameIsRejectedOrUnchanged(@ForAll @Size(max = 64) byte[] payload,
                                            @ForAll long offset, @ForAll long epoch,
                                            @ForAll @IntRange(max = 200) int at,
                                            @ForAll byte xor) {
        byte[] hdr = new byte[RecordFrame.HEADER_BYTES];
        RecordFrame.encodeHeader(hdr, new CRC32C(), offset, epoch, payload);
        byte[] frame = new byte[hdr.length + payload.length];
        System.arraycopy(hdr, 0, frame, 0, hdr.length);
        System.arraycopy(payload, 0, frame, hdr.length, payload.length);
        RecordFrame.Header h = new RecordFrame.Header();
        assertThat(RecordFrame.decode(frame, 0, frame.length, 64, h)).isEqualTo(RecordFrame.Status.COMPLETE);
        assertThat(h.offset).isEqualTo(offset);
        assertThat(h.epoch).isEqualTo(epoch);

        byte[] damaged = frame.clone();
        damaged[at % damaged.length] ^= xor;
        RecordFrame.Status s = RecordFrame.decode(damaged, 0, damaged.length, 64, h);
        if (xor == 0) {
            assertThat(s).isEqualTo(RecordFrame.Status.COMPLETE);
        } else {
            // CRC-32C detects every error burst of up to 32 bits: a one-byte change never passes.
            assertThat(s).isNotEqualTo(RecordFrame.Status.COMPLETE);
        }
        for (int cut = 0; cut < frame.length; cut++) {
            assertThat(RecordFrame.decode(frame, 0, cut, 64, h)).isEqualTo(RecordFrame.Status.INCOMPLETE);
        }
    }

    enum Mutation { FLIP_BYTE, SET_INT, CUT, APPEND_GARBAGE, APPEND_ZEROS, OVERWRITE_RANGE }

    /**
     * The whole open path over damaged segment files: it either opens to a prefix of what was
     * written, or fails with a CorruptionException. Nothing else.
     */
    @Property(tries = 600, seed = "20251126")
    void openOverADamagedSegmentGivesAPrefixOrCorruption(@ForAll long seed,
                                                         @ForAll Mutation mutation,
                                                         @ForAll @IntRange(max = 100_000) int where,
                                                         @ForAll("lengths") int value,
                                                         @ForAll @Size(max = 100) byte[] garbage,
                                                         @ForAll @IntRange(max = 7) int segmentPick) throws IOException {
        Random rnd = new Random(seed);
        CrashSimulatingFs fs = new CrashSimulatingFs();
        LogConfig cfg = LogTesting.config(FsyncPolicy.NEVER, 128 + rnd.nextInt(1500));
        List<LogRecord> written = new ArrayList<>();
        try (PartitionLog log = LogTesting.open(fs, cfg)) {
            long epoch = rnd.nextInt(3);
            int n = 1 + rnd.nextInt(30);
            for (int i = 0; i < n; i++) {
                epoch += rnd.nextInt(6) == 0 ? 1 : 0;
                byte[] p = new byte[rnd.nextInt(120)];
                rnd.nextBytes(p);
                written.add(new LogRecord(log.append(epoch, p), epoch, p));
            }
        }
        List<String> segs = LogTesting.segmentFiles(fs);
        var path = DIR.resolve(segs.get(segmentPick % segs.size()));
        byte[] b = fs.readAll(path);
        byte[] damaged = switch (mutation) {
            case FLIP_BYTE -> {
                byte[] d = b.clone();
                d[where % d.length] ^= (byte) (1 + (value & 0x7F));
                yield d;
            }
            case SET_INT -> {
                byte[] d = b.clone();
                if (d.length >= 4) {
                    Coding.putInt(d, where % (d.length - 3), value);
                }
                yield d;
            }
            case CUT -> Arrays.copyOf(b, where % (b.length + 1));
            case APPEND_GARBAGE -> concat(b, garbage);
            case APPEND_ZEROS -> concat(b, new byte[garbage.length]);
            case OVERWRITE_RANGE -> {
                byte[] d = b.clone();
                int from = where % d.length;
                System.arraycopy(garbage, 0, d, from, Math.min(garbage.length, d.length - from));
                yield d;
            }
        };
        LogTesting.overwrite(fs, path, damaged);
        PartitionLog log;
        try {
            log = LogTesting.open(fs, cfg);
        } catch (CorruptionException expected) {
            return;
        }
        try (log) {
            assertThat(log.endOffset()).isLessThanOrEqualTo(written.size());
            assertThat(LogTesting.readAll(log)).isEqualTo(written.subList(0, (int) log.endOffset()));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Property(tries = 1000, seed = "20251126")
    void checkpointDecodersThrowOnlyCorruption(@ForAll @Size(max = 120) byte[] bytes,
                                               @ForAll @IntRange(max = 200) int at,
                                               @ForAll("lengths") int count,
                                               @ForAll boolean fromValid) {
        byte[] epochs = bytes;
        byte[] start = bytes;
        if (fromValid) {
            epochs = CheckpointFiles.encodeEpochs(new EpochHistory(List.of(new EpochEntry(1, 0), new EpochEntry(4, 9))));
            start = CheckpointFiles.encodeStart(17);
            Coding.putInt(epochs, Math.min(at % epochs.length, epochs.length - 4), count);
            start[at % start.length] ^= (byte) count;
        }
        try {
            EpochHistory h = CheckpointFiles.decodeEpochs("epochs", epochs);
            assertThat(h).isNotNull();
        } catch (CorruptionException expected) {
            // fine
        }
        try {
            assertThat(CheckpointFiles.decodeStart("start", start)).isNotNegative();
        } catch (CorruptionException expected) {
            // fine
        }
    }
}

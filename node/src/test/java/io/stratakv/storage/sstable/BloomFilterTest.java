package io.stratakv.storage.sstable;

import io.stratakv.storage.CorruptionException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BloomFilterTest {

    @Property(tries = 200)
    void neverAFalseNegative(@ForAll @Size(max = 300) List<@Size(max = 40) byte[]> keys,
                             @ForAll @IntRange(min = 1, max = 40) int bitsPerKey) {
        long[] hashes = keys.stream().mapToLong(BloomFilter::hash).toArray();
        byte[] block = BloomFilter.build(hashes, hashes.length, bitsPerKey);
        BloomFilter f = BloomFilter.decode(block, block.length, "t.sst", 0);
        for (byte[] k : keys) {
            assertThat(f.mayContain(BloomFilter.hash(k))).isTrue();
        }
    }

    @Test
    void falsePositiveRateIsNearOnePercentAtTenBitsPerKey() {
        int n = 100_000;
        long[] hashes = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = BloomFilter.hash(("key-" + i).getBytes(StandardCharsets.US_ASCII));
        }
        byte[] block = BloomFilter.build(hashes, n, 10);
        BloomFilter f = BloomFilter.decode(block, block.length, "t.sst", 0);
        assertThat(f.probes()).isEqualTo(7);
        int falsePositives = 0;
        int trials = 100_000;
        for (int i = 0; i < trials; i++) {
            if (f.mayContain(BloomFilter.hash(("absent-" + i).getBytes(StandardCharsets.US_ASCII)))) {
                falsePositives++;
            }
        }
        double rate = (double) falsePositives / trials;
        // Blocked bloom at 10 bits/key measures ~0.96% (an unblocked one ~0.82%).
        assertThat(rate).isBetween(0.004, 0.02);
    }

    @Test
    void probeCountFollowsBitsPerKey() {
        assertThat(BloomFilter.probesFor(0)).isZero();
        assertThat(BloomFilter.probesFor(1)).isEqualTo(1);
        assertThat(BloomFilter.probesFor(10)).isEqualTo(7);
        assertThat(BloomFilter.probesFor(20)).isEqualTo(14);
        assertThat(BloomFilter.probesFor(100)).isEqualTo(30);
    }

    /** The vector in SSTABLE_FORMAT.md: keys "a", "b", "c" at 10 bits per key (1 line, k = 7). */
    @Test
    void tinyFilterMatchesTheDocumentedBytes() {
        long[] hashes = {BloomFilter.hash(ascii("a")), BloomFilter.hash(ascii("b")), BloomFilter.hash(ascii("c"))};
        byte[] block = BloomFilter.build(hashes, 3, 10);
        assertThat(HexFormat.of().formatHex(block)).isEqualTo(
                "00040200000000000000000000004000840008014000000420080000000100000000000401000100000000002000000800020000"
                        + "20000000000000000000001007");
    }

    @Test
    void noFilterMeansEverythingMayBePresent() {
        byte[] block = BloomFilter.build(new long[] {1, 2, 3}, 3, 0);
        assertThat(block).containsExactly(0);
        BloomFilter f = BloomFilter.decode(block, block.length, "t.sst", 0);
        assertThat(f.mayContain(12345)).isTrue();
    }

    @Test
    void malformedFilterBlocksAreCorruption() {
        assertThatThrownBy(() -> BloomFilter.decode(new byte[0], 0, "t.sst", 99))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("filter block at offset 99");
        assertThatThrownBy(() -> BloomFilter.decode(new byte[] {31}, 1, "t.sst", 0))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("probe count 31");
        byte[] notALine = new byte[64];
        notALine[63] = 7;
        assertThatThrownBy(() -> BloomFilter.decode(notALine, 64, "t.sst", 0))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("63 filter bytes");
        byte[] bitsWithoutProbes = new byte[65];
        assertThatThrownBy(() -> BloomFilter.decode(bitsWithoutProbes, 65, "t.sst", 0))
                .isInstanceOf(CorruptionException.class);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

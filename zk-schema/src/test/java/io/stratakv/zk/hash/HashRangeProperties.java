package io.stratakv.zk.hash;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HashRangeProperties {

    @Property
    void everyHashIsInExactlyOneRangeOfPartitionsOf(@ForAll @IntRange(min = 1, max = 5000) int n,
                                                    @ForAll("positions") long hash) {
        List<HashRange> ranges = HashRange.partitionsOf(n);
        assertThat(ranges).hasSize(n);
        assertThat(HashRange.coversExactly(ranges)).isTrue();
        long owners = ranges.stream().filter(r -> r.contains(hash)).count();
        assertThat(owners).isEqualTo(1);
        int found = HashRange.find(ranges, hash);
        assertThat(ranges.get(found).contains(hash)).isTrue();
    }

    @Property(tries = 200)
    void partitionsOfHasNearlyEqualSizes(@ForAll @IntRange(min = 1, max = 5000) int n) {
        List<BigInteger> sizes = HashRange.partitionsOf(n).stream().map(HashRange::size).toList();
        BigInteger min = sizes.stream().min(BigInteger::compareTo).orElseThrow();
        BigInteger max = sizes.stream().max(BigInteger::compareTo).orElseThrow();
        assertThat(max.subtract(min)).isLessThanOrEqualTo(BigInteger.ONE);
        assertThat(sizes.stream().reduce(BigInteger.ZERO, BigInteger::add)).isEqualTo(BigInteger.ONE.shiftLeft(64));
    }

    @Property
    void splitHalvesCoverTheParentExactly(@ForAll("splittable") HashRange parent, @ForAll("positions") long hash) {
        HashRange.Halves h = parent.split();
        assertThat(h.lower().start()).isEqualTo(parent.start());
        assertThat(h.upper().end()).isEqualTo(parent.end());
        assertThat(h.upper().start()).isEqualTo(h.lower().end() + 1);
        assertThat(h.lower().size().add(h.upper().size())).isEqualTo(parent.size());
        assertThat(h.lower().size().subtract(h.upper().size())).isBetween(BigInteger.ZERO, BigInteger.ONE);
        // Hash positions near the edges are the interesting ones; also probe arbitrary ones.
        for (long p : new long[]{hash, parent.start(), parent.end(), h.lower().end(), h.upper().start(),
                parent.start() - 1, parent.end() + 1}) {
            boolean inLower = h.lower().contains(p);
            boolean inUpper = h.upper().contains(p);
            assertThat(inLower && inUpper).isFalse();
            assertThat(inLower || inUpper).isEqualTo(parent.contains(p));
        }
    }

    /** After a split, only keys of the split range change partition; the others keep theirs. */
    @Property
    void splittingMovesOnlyKeysOfTheSplitRange(@ForAll @IntRange(min = 1, max = 64) int n,
                                               @ForAll @IntRange(min = 0, max = 63) int pick,
                                               @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 1000) Integer> moreSplits,
                                               @ForAll @Size(min = 1, max = 50) List<byte[]> keys) {
        List<HashRange> before = new ArrayList<>(HashRange.partitionsOf(n));
        for (int s : moreSplits) { // an arbitrary history of earlier splits
            split(before, s % before.size());
        }
        int k = pick % before.size();
        if (before.get(k).isSinglePosition()) {
            return;
        }
        List<HashRange> after = new ArrayList<>(before);
        split(after, k);
        assertThat(HashRange.coversExactly(before)).isTrue();
        assertThat(HashRange.coversExactly(after)).isTrue();
        for (byte[] key : keys) {
            long hash = KeyHash.hash(key);
            HashRange oldOwner = before.get(HashRange.find(before, hash));
            HashRange newOwner = after.get(HashRange.find(after, hash));
            if (oldOwner.equals(before.get(k))) {
                assertThat(before.get(k).split().asList()).contains(newOwner);
            } else {
                assertThat(newOwner).isEqualTo(oldOwner);
            }
        }
    }

    @Property
    void findAgreesWithALinearScan(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll("positions") long hash) {
        List<HashRange> ranges = HashRange.partitionsOf(n);
        int linear = -1;
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i).contains(hash)) {
                linear = i;
            }
        }
        assertThat(HashRange.find(ranges, hash)).isEqualTo(linear);
    }

    private static void split(List<HashRange> ranges, int index) {
        HashRange r = ranges.get(index);
        if (r.isSinglePosition()) {
            return;
        }
        HashRange.Halves h = r.split();
        ranges.set(index, h.lower());
        ranges.add(index + 1, h.upper());
    }

    @Provide
    Arbitrary<Long> positions() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.of(0L, 1L, -1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
    }

    @Provide
    Arbitrary<HashRange> splittable() {
        Arbitrary<Long> ends = positions();
        return Combinators.combine(ends, ends).as((a, b) -> {
            long lo = Long.compareUnsigned(a, b) <= 0 ? a : b;
            long hi = Long.compareUnsigned(a, b) <= 0 ? b : a;
            if (lo == hi) {
                return lo == -1L ? new HashRange(lo - 1, hi) : new HashRange(lo, hi + 1);
            }
            return new HashRange(lo, hi);
        });
    }
}

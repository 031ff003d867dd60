package io.stratakv.zk.hash;

import io.stratakv.zk.StrataJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashRangeTest {

    private static final ObjectMapper JSON = StrataJson.newMapper();

    @Test
    void fullRangeIsTheWholeUnsignedSpace() {
        HashRange full = HashRange.full();
        assertThat(full.start()).isZero();
        assertThat(full.end()).isEqualTo(-1L);
        assertThat(full.size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(full.contains(0)).isTrue();
        assertThat(full.contains(Long.MAX_VALUE)).isTrue();
        assertThat(full.contains(Long.MIN_VALUE)).isTrue();
        assertThat(full.contains(-1L)).isTrue();
        assertThat(HashRange.coversExactly(List.of(full))).isTrue();
    }

    @Test
    void refusesStartAboveEndUnsigned() {
        assertThatThrownBy(() -> new HashRange(-1L, 0L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0xffffffffffffffff");
        assertThat(new HashRange(0L, -1L)).isEqualTo(HashRange.full());
        assertThat(new HashRange(5, 5).isSinglePosition()).isTrue();
    }

    @Test
    void splitsTheFullRangeAtTheMiddle() {
        HashRange.Halves h = HashRange.full().split();
        assertThat(h.lower()).isEqualTo(new HashRange(0, 0x7fffffffffffffffL));
        assertThat(h.upper()).isEqualTo(new HashRange(0x8000000000000000L, -1L));
        assertThat(h.asList()).isEqualTo(HashRange.partitionsOf(2));
    }

    @Test
    void oddSizedRangeGivesTheExtraPositionToTheLowerHalf() {
        HashRange.Halves h = new HashRange(10, 14).split();
        assertThat(h.lower()).isEqualTo(new HashRange(10, 12));
        assertThat(h.upper()).isEqualTo(new HashRange(13, 14));
        assertThat(new HashRange(7, 8).split().asList()).containsExactly(new HashRange(7, 7), new HashRange(8, 8));
    }

    @Test
    void refusesToSplitASinglePosition() {
        assertThatThrownBy(() -> new HashRange(-1L, -1L).split()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("single-position");
    }

    @Test
    void partitionsOfHasFixedBoundaries() {
        assertThat(HashRange.partitionsOf(1)).containsExactly(HashRange.full());
        assertThat(HashRange.partitionsOf(3)).containsExactly(
                new HashRange(0x0000000000000000L, 0x5555555555555554L),
                new HashRange(0x5555555555555555L, 0xaaaaaaaaaaaaaaa9L),
                new HashRange(0xaaaaaaaaaaaaaaaaL, 0xffffffffffffffffL));
        assertThat(HashRange.partitionsOf(4).get(1)).isEqualTo(new HashRange(0x4000000000000000L, 0x7fffffffffffffffL));
        assertThatThrownBy(() -> HashRange.partitionsOf(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void coversExactlyRejectsGapsOverlapsAndShortCoverage() {
        List<HashRange> four = HashRange.partitionsOf(4);
        assertThat(HashRange.coversExactly(four)).isTrue();
        assertThat(HashRange.coversExactly(List.of())).isFalse();
        assertThat(HashRange.coversExactly(List.of(four.get(0), four.get(2), four.get(3)))).as("gap").isFalse();
        assertThat(HashRange.coversExactly(List.of(four.get(0), four.get(1), four.get(3), four.get(2)))).as("order").isFalse();
        assertThat(HashRange.coversExactly(List.of(four.get(0), four.get(1), four.get(2)))).as("short").isFalse();
        assertThat(HashRange.coversExactly(List.of(four.get(1), four.get(2), four.get(3)))).as("late start").isFalse();
        HashRange overlapping = new HashRange(four.get(1).start() - 1, four.get(1).end());
        assertThat(HashRange.coversExactly(List.of(four.get(0), overlapping, four.get(2), four.get(3)))).as("overlap").isFalse();
        assertThat(HashRange.coversExactly(List.of(HashRange.full(), HashRange.full()))).as("wrap").isFalse();
    }

    @Test
    void findLocatesTheOwningRangeAndMissesGaps() {
        List<HashRange> four = HashRange.partitionsOf(4);
        assertThat(HashRange.find(four, 0)).isZero();
        assertThat(HashRange.find(four, 0x3fffffffffffffffL)).isZero();
        assertThat(HashRange.find(four, 0x4000000000000000L)).isEqualTo(1);
        assertThat(HashRange.find(four, Long.MIN_VALUE)).isEqualTo(2);
        assertThat(HashRange.find(four, -1L)).isEqualTo(3);
        List<HashRange> gappy = List.of(new HashRange(10, 20), new HashRange(30, 40));
        assertThat(HashRange.find(gappy, 5)).isEqualTo(-1);
        assertThat(HashRange.find(gappy, 25)).isEqualTo(-1);
        assertThat(HashRange.find(gappy, 41)).isEqualTo(-1);
        assertThat(HashRange.find(gappy, 30)).isEqualTo(1);
        assertThat(HashRange.find(List.of(), 1)).isEqualTo(-1);
    }

    @Test
    void jsonUsesFixedWidthHexStrings() throws Exception {
        HashRange r = new HashRange(0x8000000000000000L, -1L);
        String json = JSON.writeValueAsString(r);
        assertThat(json).isEqualTo("{\"start\":\"0x8000000000000000\",\"end\":\"0xffffffffffffffff\"}");
        assertThat(JSON.readValue(json, HashRange.class)).isEqualTo(r);
        assertThat(JSON.readValue("{\"end\":\"0XFFFFFFFFFFFFFFFF\",\"start\":\"0x0000000000000000\",\"note\":1}",
                HashRange.class)).as("either case, any order, unknown fields ignored").isEqualTo(HashRange.full());
        // A plain mapper (for instance Dropwizard's) reads and writes the same form.
        assertThat(new ObjectMapper().writeValueAsString(r)).isEqualTo(json);
    }

    @Test
    void jsonRefusesNumbersShortHexAndInvertedRanges() {
        for (String bad : List.of(
                "{\"start\":0,\"end\":\"0xffffffffffffffff\"}",
                "{\"start\":\"0x0\",\"end\":\"0xffffffffffffffff\"}",
                "{\"start\":\"0x000000000000000g\",\"end\":\"0xffffffffffffffff\"}",
                "{\"start\":\"0xffffffffffffffff\",\"end\":\"0x0000000000000000\"}",
                "{\"start\":\"0x0000000000000000\"}",
                "\"0x0000000000000000\"")) {
            assertThatThrownBy(() -> JSON.readValue(bad, HashRange.class)).as(bad)
                    .isInstanceOf(com.fasterxml.jackson.databind.JsonMappingException.class);
        }
    }

    @Test
    void hexIsZeroPaddedLowerCase() {
        assertThat(HashRange.hex(0)).isEqualTo("0x0000000000000000");
        assertThat(HashRange.hex(0xABCL)).isEqualTo("0x0000000000000abc");
        assertThat(HashRange.parseHex("0x0000000000000ABC")).isEqualTo(0xABCL);
        assertThat(new HashRange(1, 2)).hasToString("[0x0000000000000001, 0x0000000000000002]");
    }
}

package io.stratakv.zk.hash;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The key hash decides which partition owns every key, in every stored range: it is fixed
 * forever. Every expected value below was produced by the reference tool {@code xxhsum -H64}
 * (xxHash 0.8.1) and is repeated in zk-schema/README.md. Never edit them.
 */
class KeyHashTest {

    @Test
    void matchesReferenceVectorsForStrings() {
        assertThat(KeyHash.hash(utf8(""))).isEqualTo(0xef46db3751d8e999L);
        assertThat(KeyHash.hash(utf8("a"))).isEqualTo(0xd24ec4f1a98c6e5bL);
        assertThat(KeyHash.hash(utf8("abc"))).isEqualTo(0x44bc2cf5ad770999L);
        assertThat(KeyHash.hash(utf8("user:42"))).isEqualTo(0xdc1fea7da8d2d1c2L);
        assertThat(KeyHash.hash(utf8("Nobody inspects the spammish repetition"))).isEqualTo(0xfbcea83c8a378bf1L);
        assertThat(KeyHash.hash(utf8("StrataKV key hash, fixed forever: XXH64 seed 0 over the key bytes.")))
                .isEqualTo(0x1fdc1b4687f264cfL);
        assertThat(KeyHash.hash(utf8("ключ/键"))).as("non-ASCII keys hash their UTF-8 bytes").isEqualTo(0x03a367e010979aacL);
    }

    /** Lengths that take every branch: under 4, 8 and 32 bytes, exactly 32 and 64, longer. */
    @Test
    void matchesReferenceVectorsAtEveryLength() {
        long[][] vectors = {
                {0, 0xef46db3751d8e999L}, {1, 0x1f25c8d0bc1f4bb6L}, {3, 0x31d2363f52e564c9L},
                {4, 0x9bb64b7d66ee9fdaL}, {7, 0x9a7b149959ce60d8L}, {8, 0xdab99d95c6f90092L},
                {12, 0xd52e407833af5133L}, {31, 0xa2aa5f33cc4a6119L}, {32, 0x23c3c17ef790fd97L},
                {33, 0x50a7cfc7ba588784L}, {63, 0x5e3e54b431c7493cL}, {64, 0x0eb64b3ef6eeb01fL},
                {100, 0xa61f8d4c170fe531L}, {1000, 0x5f235fa033f1a3fbL},
        };
        for (long[] v : vectors) {
            assertThat(KeyHash.hash(sweep((int) v[0]))).as("length %d", v[0]).isEqualTo(v[1]);
        }
        byte[] allBytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            allBytes[i] = (byte) i;
        }
        assertThat(KeyHash.hash(allBytes)).isEqualTo(0x1facbe8406cd904bL);
    }

    @Test
    void hashesASliceLikeTheSameBytesAlone() {
        byte[] framed = utf8("xxuser:42yy");
        assertThat(KeyHash.hash(framed, 2, 7)).isEqualTo(KeyHash.hash(utf8("user:42")));
        assertThatThrownBy(() -> KeyHash.hash(framed, 8, 7)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void isReadAsUnsignedPosition() {
        long h = KeyHash.hash(utf8("a"));
        assertThat(h).as("the top bit is set: negative as a Java long").isNegative();
        assertThat(HashRange.hex(h)).isEqualTo("0xd24ec4f1a98c6e5b");
        assertThat(HashRange.partitionsOf(2).get(1).contains(h)).isTrue();
    }

    /** Byte i is (7i + 3) mod 256, as in node's XxHash64Test. */
    private static byte[] sweep(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

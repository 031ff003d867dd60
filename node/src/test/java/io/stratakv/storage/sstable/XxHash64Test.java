package io.stratakv.storage.sstable;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * XXH64 is part of the file format (the bloom filter is defined on it). The expected values come
 * from the reference C library, libxxhash 0.8.1, and cover every branch: under 4, 8 and 32 bytes,
 * exactly 32 and 64, and longer, each with seed 0 and with the bloom seed.
 */
class XxHash64Test {

    /** Input for the length sweep: byte i is (7i + 3) mod 256. */
    private static byte[] sweep(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void matchesTheReferenceImplementationAtEveryLength() {
        Object[][] vectors = {
                {0, 0xEF46DB3751D8E999L, 0x102A683FBFEF5947L},
                {1, 0x1F25C8D0BC1F4BB6L, 0xFB5EEF64BD90A65EL},
                {3, 0x31D2363F52E564C9L, 0x5582682C71137709L},
                {4, 0x9BB64B7D66EE9FDAL, 0xA9BD4568E6C59EC6L},
                {7, 0x9A7B149959CE60D8L, 0x1064450B0DAED450L},
                {8, 0xDAB99D95C6F90092L, 0x91E6FB473ADCD032L},
                {12, 0xD52E407833AF5133L, 0x2A93D937F8B29E71L},
                {31, 0xA2AA5F33CC4A6119L, 0x31215DA05FA5F2B0L},
                {32, 0x23C3C17EF790FD97L, 0xD0FE5DB644446009L},
                {33, 0x50A7CFC7BA588784L, 0xAF7A1C5BE75C4DB5L},
                {63, 0x5E3E54B431C7493CL, 0x504ED5F2E90CCB55L},
                {64, 0x0EB64B3EF6EEB01FL, 0x3696C2E032860D4CL},
                {100, 0xA61F8D4C170FE531L, 0xC463141810291A61L},
        };
        for (Object[] v : vectors) {
            byte[] in = sweep((Integer) v[0]);
            assertThat(XxHash64.hash(in, 0L)).as("seed 0, length %s", v[0]).isEqualTo((long) v[1]);
            assertThat(XxHash64.hash(in, BloomFilter.SEED)).as("bloom seed, length %s", v[0]).isEqualTo((long) v[2]);
        }
    }

    @Test
    void matchesPublishedStrings() {
        assertThat(XxHash64.hash(ascii("a"), 0)).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(XxHash64.hash(ascii("abc"), 0)).isEqualTo(0x44BC2CF5AD770999L);
        assertThat(XxHash64.hash(ascii("Nobody inspects the spammish repetition"), 0)).isEqualTo(0xFBCEA83C8A378BF1L);
        assertThat(BloomFilter.SEED).as("the seed is ASCII STRATABF").isEqualTo(
                java.nio.ByteBuffer.wrap(ascii("STRATABF")).getLong());
    }

    @Test
    void hashesARangeInPlace() {
        byte[] framed = ascii("xxhelloyy");
        assertThat(XxHash64.hash(framed, 2, 5, BloomFilter.SEED)).isEqualTo(0xBB87562BA7082834L);
        assertThat(XxHash64.hash(ascii("hello"), BloomFilter.SEED)).isEqualTo(0xBB87562BA7082834L);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

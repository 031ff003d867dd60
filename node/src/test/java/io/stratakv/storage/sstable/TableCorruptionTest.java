package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.sstable.TestTables.KV;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bad bytes anywhere in a table end in a CorruptionException that names the file and the block. */
class TableCorruptionTest {

    private static final List<KV> ENTRIES = TestTables.randomEntries(new Random(42), 200, 3, 60);
    private static final byte[] TABLE = TestTables.build(new TableOptions(512, 4, 10), ENTRIES);
    private static final TableFormat.Footer FOOTER = TableFormat.Footer.decode(
            Arrays.copyOfRange(TABLE, TABLE.length - TableFormat.FOOTER_SIZE, TABLE.length), "test.sst", TABLE.length);

    /** A smaller table for the exhaustive loops (every byte, every length). */
    private static final byte[] SMALL = TestTables.build(new TableOptions(256, 2, 10),
            TestTables.randomEntries(new Random(7), 40, 2, 20));

    private static byte[] flipped(int position) {
        return flipped(TABLE, position);
    }

    private static byte[] flipped(byte[] table, int position) {
        byte[] b = table.clone();
        b[position] ^= 0x10;
        return b;
    }

    private static CorruptionException openAndReadAll(byte[] file) {
        return catchThrowableOfType(CorruptionException.class, () -> {
            try (TableReader t = TestTables.open(file, null, null)) {
                try (InternalIterator it = t.iterator()) {
                    TestTables.scan(it);
                }
            }
        });
    }

    @Test
    void aFlippedByteInADataBlockNamesTheFileAndTheBlock() {
        long blockOffset;
        int blockSize;
        try (TableReader t = TestTables.open(TABLE, null, null)) {
            assertThat(t.dataBlockCount()).isGreaterThan(3);
            blockOffset = t.index().offset(2);
            blockSize = t.index().size(2);
        }
        byte[] bad = flipped((int) blockOffset + blockSize / 2);
        try (TableReader t = TestTables.open(bad, null, null)) {
            // Blocks before it still read fine; the bad one fails when touched.
            try (InternalIterator it = t.iterator()) {
                it.seekToFirst();
                assertThat(it.valid()).isTrue();
            }
            CorruptionException e = catchThrowableOfType(CorruptionException.class, () -> TestTables.scan(t.iterator()));
            assertThat(e).isNotNull();
            assertThat(e.file()).isEqualTo("test.sst");
            assertThat(e.position()).isEqualTo(blockOffset);
            assertThat(e.code()).isEqualTo(StorageErrorCode.CORRUPTION);
            assertThat(e.getMessage()).contains("data block at offset " + blockOffset, "checksum mismatch", "test.sst");
        }
    }

    @Test
    void aFlippedByteInTheIndexFailsTheOpen() {
        CorruptionException e = openAndReadAll(flipped((int) FOOTER.index().offset() + 3));
        assertThat(e.position()).isEqualTo(FOOTER.index().offset());
        assertThat(e.getMessage()).contains("index block at offset " + FOOTER.index().offset(), "checksum mismatch");
    }

    @Test
    void aFlippedByteInTheFilterFailsTheOpen() {
        CorruptionException e = openAndReadAll(flipped((int) FOOTER.filter().offset() + 10));
        assertThat(e.position()).isEqualTo(FOOTER.filter().offset());
        assertThat(e.getMessage()).contains("filter block at offset " + FOOTER.filter().offset(), "checksum mismatch");
    }

    @Test
    void aFlippedByteInThePropertiesFailsTheOpen() {
        CorruptionException e = openAndReadAll(flipped((int) FOOTER.properties().offset() + 1));
        assertThat(e.position()).isEqualTo(FOOTER.properties().offset());
        assertThat(e.getMessage()).contains("properties block at offset " + FOOTER.properties().offset());
    }

    @Test
    void aFlippedByteInABlockTrailerIsAChecksumMismatch() {
        int typeByte = (int) (FOOTER.index().offset() + FOOTER.index().size());
        assertThat(openAndReadAll(flipped(typeByte)).getMessage()).contains("index block", "checksum mismatch");
        assertThat(openAndReadAll(flipped(typeByte + 2)).getMessage()).contains("index block", "checksum mismatch");
    }

    @Test
    void aFlippedByteAnywhereInTheFooterFailsTheOpen() {
        long footerOffset = TABLE.length - TableFormat.FOOTER_SIZE;
        for (int i = 0; i < TableFormat.FOOTER_SIZE; i++) {
            CorruptionException e = openAndReadAll(flipped((int) footerOffset + i));
            assertThat(e).as("flip at footer byte %d", i).isNotNull();
            assertThat(e.position()).isEqualTo(footerOffset);
            assertThat(e.getMessage()).containsAnyOf("footer checksum mismatch", "bad table magic");
        }
    }

    /** Every byte of a table is under a CRC or is the magic, so every single flip is caught. */
    @Test
    void everySingleByteFlipIsDetected() {
        assertThat(SMALL.length).isGreaterThan(1000);
        for (int i = 0; i < SMALL.length; i++) {
            assertThat(openAndReadAll(flipped(SMALL, i))).as("flip at byte %d of %d", i, SMALL.length).isNotNull();
        }
    }

    @Test
    void wrongMagicSaysItIsNotATable() {
        byte[] bad = TABLE.clone();
        Coding.putLong(bad, bad.length - 8, 0x4C4556454C444221L);
        CorruptionException e = openAndReadAll(bad);
        assertThat(e.getMessage()).contains("bad table magic 0x4c4556454c444221", "not a StrataKV table");
        assertThat(e.position()).isEqualTo(TABLE.length - TableFormat.FOOTER_SIZE);
    }

    @Test
    void unknownFormatVersionIsRefusedClearly() {
        byte[] bad = TABLE.clone();
        int footer = bad.length - TableFormat.FOOTER_SIZE;
        Coding.putInt(bad, footer + 36, 2);
        CRC32C crc = new CRC32C();
        crc.update(bad, footer, 40);
        Coding.putInt(bad, footer + 40, (int) crc.getValue());
        assertThat(openAndReadAll(bad).getMessage()).contains("unsupported table format version 2");
    }

    @Test
    void unknownCompressionTypeWithAValidChecksumIsRefused() {
        byte[] bad = TABLE.clone();
        int off = (int) FOOTER.filter().offset();
        int size = FOOTER.filter().size();
        bad[off + size] = 1;
        CRC32C crc = new CRC32C();
        crc.update(bad, off, size);
        crc.update(1);
        Coding.putInt(bad, off + size + 1, (int) crc.getValue());
        CorruptionException e = openAndReadAll(bad);
        assertThat(e.getMessage()).contains("filter block at offset " + off, "unsupported compression type 1");
    }

    @Test
    void zeroLengthFileIsCorruption() {
        CorruptionException e = openAndReadAll(new byte[0]);
        assertThat(e.getMessage()).contains("file of 0 bytes is too short");
        assertThat(e.file()).isEqualTo("test.sst");
    }

    @Test
    void everyTruncationIsCorruption() {
        for (int len = 0; len < SMALL.length; len++) {
            byte[] cut = Arrays.copyOf(SMALL, len);
            assertThat(openAndReadAll(cut)).as("truncated to %d bytes", len).isNotNull();
        }
    }

    @Test
    void aFileShorterThanTheSizeTheManifestRecordsIsCorruption() {
        byte[] cut = Arrays.copyOf(TABLE, TABLE.length - 100);
        CorruptionException e = catchThrowableOfType(CorruptionException.class,
                () -> TableReader.open(new MemoryFile(cut), "test.sst", 7, TABLE.length, null, null));
        assertThat(e.getMessage()).contains("table footer", "truncated");
        assertThat(e.position()).isEqualTo(TABLE.length - TableFormat.FOOTER_SIZE);
    }

    @Test
    void openClosesTheFileWhenItFails() {
        MemoryFile f = new MemoryFile(new byte[10]);
        assertThatThrownBy(() -> TableReader.open(f, "x.sst", 1, 10, null, null)).isInstanceOf(CorruptionException.class);
        assertThat(f.closes.get()).isEqualTo(1);
    }

    @Test
    void anIoErrorIsAnIoErrorNotCorruption() {
        ReadableFile failing = new ReadableFile() {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                throw new IOException("injected: Input/output error");
            }

            @Override
            public long size() {
                return TABLE.length;
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> TableReader.open(failing, "test.sst", 1, TABLE.length, null, null))
                .isInstanceOf(StorageException.class)
                .isNotInstanceOf(CorruptionException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(StorageErrorCode.IO_ERROR))
                .hasMessageContaining("test.sst");
    }
}

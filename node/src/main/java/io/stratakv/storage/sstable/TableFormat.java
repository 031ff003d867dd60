package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;

import java.util.zip.CRC32C;

/**
 * The constants of the SSTable format and the fixed-size footer. SSTABLE_FORMAT.md beside this
 * file is the authoritative prose description; a test decodes a table by that document alone.
 */
final class TableFormat {

    /** ASCII "STRATASS": the last 8 bytes of every table file. */
    static final long MAGIC = 0x5354524154415353L;
    /** Bumped on any incompatible change; readers refuse versions they do not know. */
    static final int FORMAT_VERSION = 1;

    /** Compression type byte of a block trailer. Only NONE is written or read today; other values are reserved. */
    static final byte COMPRESSION_NONE = 0;
    /** 1 byte compression type + u32 CRC32C after the contents of every block. */
    static final int BLOCK_TRAILER_SIZE = 5;

    /** u64 offset + u32 size, fixed width so the footer has a fixed size. */
    static final int FOOTER_HANDLE_SIZE = 12;
    /** index, filter and properties handles, format version, footer CRC, magic. */
    static final int FOOTER_SIZE = 3 * FOOTER_HANDLE_SIZE + 4 + 4 + 8;
    /** The footer CRC covers the handles and the version: bytes [0, 40) of the footer. */
    static final int FOOTER_CRC_COVERS = 3 * FOOTER_HANDLE_SIZE + 4;

    /** Largest block contents we write or accept: the contents plus trailer must fit in one byte[]. */
    static final int MAX_BLOCK_SIZE = Integer.MAX_VALUE - 64;

    /** Restart interval of the index block: every entry restarts, so index keys are stored whole. */
    static final int INDEX_RESTART_INTERVAL = 1;

    private TableFormat() {
    }

    /** CRC32C over contents[0, size) followed by the compression type byte. */
    static int blockCrc(byte[] contents, int size, byte compressionType) {
        CRC32C crc = new CRC32C();
        crc.update(contents, 0, size);
        crc.update(compressionType);
        return (int) crc.getValue();
    }

    /** The decoded footer. */
    record Footer(BlockHandle index, BlockHandle filter, BlockHandle properties, int formatVersion) {

        byte[] encode() {
            byte[] b = new byte[FOOTER_SIZE];
            int p = 0;
            for (BlockHandle h : new BlockHandle[] {index, filter, properties}) {
                Coding.putLong(b, p, h.offset());
                Coding.putInt(b, p + 8, h.size());
                p += FOOTER_HANDLE_SIZE;
            }
            Coding.putInt(b, p, formatVersion);
            CRC32C crc = new CRC32C();
            crc.update(b, 0, FOOTER_CRC_COVERS);
            Coding.putInt(b, FOOTER_CRC_COVERS, (int) crc.getValue());
            Coding.putLong(b, FOOTER_CRC_COVERS + 4, MAGIC);
            return b;
        }

        /**
         * Decodes and checks the footer read from the last FOOTER_SIZE bytes of a file of fileSize
         * bytes: magic first (is this a table at all?), then the CRC, then the version, then that
         * every handle lies inside the file before the footer.
         */
        static Footer decode(byte[] b, String fileName, long fileSize) {
            long footerOffset = fileSize - FOOTER_SIZE;
            long magic = Coding.getLong(b, FOOTER_CRC_COVERS + 4);
            if (magic != MAGIC) {
                throw new CorruptionException(fileName, footerOffset, String.format(
                        "bad table magic 0x%016x (expected 0x%016x \"STRATASS\"): not a StrataKV table, or its end is missing",
                        magic, MAGIC));
            }
            CRC32C crc = new CRC32C();
            crc.update(b, 0, FOOTER_CRC_COVERS);
            int stored = Coding.getInt(b, FOOTER_CRC_COVERS);
            if (stored != (int) crc.getValue()) {
                throw new CorruptionException(fileName, footerOffset, String.format(
                        "footer checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, (int) crc.getValue()));
            }
            int version = Coding.getInt(b, 3 * FOOTER_HANDLE_SIZE);
            if (version != FORMAT_VERSION) {
                throw new CorruptionException(fileName, footerOffset,
                        "unsupported table format version " + Integer.toUnsignedString(version)
                                + " (this reader knows version " + FORMAT_VERSION + ")");
            }
            BlockHandle[] hs = new BlockHandle[3];
            String[] names = {"index", "filter", "properties"};
            for (int i = 0; i < 3; i++) {
                long off = Coding.getLong(b, i * FOOTER_HANDLE_SIZE);
                long size = Coding.getInt(b, i * FOOTER_HANDLE_SIZE + 8) & 0xFFFFFFFFL;
                if (off < 0 || size > MAX_BLOCK_SIZE || off > footerOffset
                        || size + BLOCK_TRAILER_SIZE > footerOffset - off) {
                    throw new CorruptionException(fileName, footerOffset, "footer " + names[i] + " handle (offset " + off
                            + ", size " + size + ") lies outside the " + footerOffset + " bytes before the footer");
                }
                hs[i] = new BlockHandle(off, (int) size);
            }
            return new Footer(hs[0], hs[1], hs[2], version);
        }
    }
}

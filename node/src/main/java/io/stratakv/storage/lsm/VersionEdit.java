package io.stratakv.storage.lsm;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One change to the set of live files and the engine's counters, as recorded in the manifest.
 * Encoding (see MANIFEST_FORMAT.md): a sequence of tagged fields, each a varint tag followed by
 * its varint or length-prefixed contents.
 */
final class VersionEdit {

    static final int TAG_NEXT_FILE_NUMBER = 1;
    static final int TAG_LAST_SEQUENCE = 2;
    static final int TAG_APPLIED_LOG_OFFSET = 3;
    static final int TAG_DELETED_FILE = 4;
    static final int TAG_NEW_FILE = 5;
    static final int TAG_LEVEL_COUNT = 6;

    record NewFile(int level, FileMeta file) {
    }

    record DeletedFile(int level, long number) {
    }

    long nextFileNumber = -1;
    long lastSequence = -1;
    /** Highest log offset whose effects are in the files; -1 when unchanged by this edit. */
    long appliedLogOffset = Long.MIN_VALUE;
    int levelCount = -1;
    final List<DeletedFile> deleted = new ArrayList<>();
    final List<NewFile> added = new ArrayList<>();

    VersionEdit addFile(int level, FileMeta f) {
        added.add(new NewFile(level, f));
        return this;
    }

    VersionEdit deleteFile(int level, long number) {
        deleted.add(new DeletedFile(level, number));
        return this;
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        if (levelCount >= 0) {
            varint(out, TAG_LEVEL_COUNT);
            varint(out, levelCount);
        }
        if (nextFileNumber >= 0) {
            varint(out, TAG_NEXT_FILE_NUMBER);
            varint(out, nextFileNumber);
        }
        if (lastSequence >= 0) {
            varint(out, TAG_LAST_SEQUENCE);
            varint(out, lastSequence);
        }
        if (appliedLogOffset != Long.MIN_VALUE) {
            varint(out, TAG_APPLIED_LOG_OFFSET);
            varint(out, appliedLogOffset + 1);
        }
        for (DeletedFile d : deleted) {
            varint(out, TAG_DELETED_FILE);
            varint(out, d.level);
            varint(out, d.number);
        }
        for (NewFile n : added) {
            varint(out, TAG_NEW_FILE);
            varint(out, n.level);
            varint(out, n.file.number);
            varint(out, n.file.size);
            varint(out, n.file.entries);
            bytes(out, n.file.smallest);
            bytes(out, n.file.largest);
        }
        return out.toByteArray();
    }

    static VersionEdit decode(byte[] b, String file, long position) {
        Reader r = new Reader(b, file, position);
        VersionEdit e = new VersionEdit();
        while (r.pos < b.length) {
            int tag = (int) r.varint();
            switch (tag) {
                case TAG_LEVEL_COUNT -> e.levelCount = (int) r.varintBounded(64);
                case TAG_NEXT_FILE_NUMBER -> e.nextFileNumber = r.varint();
                case TAG_LAST_SEQUENCE -> e.lastSequence = r.varint();
                case TAG_APPLIED_LOG_OFFSET -> e.appliedLogOffset = r.varint() - 1;
                case TAG_DELETED_FILE -> e.deleted.add(new DeletedFile((int) r.varintBounded(64), r.varint()));
                case TAG_NEW_FILE -> {
                    int level = (int) r.varintBounded(64);
                    long number = r.varint();
                    long size = r.varint();
                    long entries = r.varint();
                    byte[] smallest = r.bytes();
                    byte[] largest = r.bytes();
                    if (smallest.length < InternalKey.TRAILER || largest.length < InternalKey.TRAILER) {
                        throw new CorruptionException(file, position, "file key shorter than its trailer");
                    }
                    e.added.add(new NewFile(level, new FileMeta(number, size, smallest, largest, entries)));
                }
                default -> throw new CorruptionException(file, position, "unknown manifest tag " + tag);
            }
        }
        return e;
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        byte[] tmp = new byte[10];
        int n = Coding.putVarint(tmp, 0, v);
        out.write(tmp, 0, n);
    }

    private static void bytes(ByteArrayOutputStream out, byte[] b) {
        varint(out, b.length);
        out.write(b, 0, b.length);
    }

    private static final class Reader {
        final byte[] b;
        final String file;
        final long position;
        int pos;

        Reader(byte[] b, String file, long position) {
            this.b = b;
            this.file = file;
            this.position = position;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw new CorruptionException(file, position, "truncated varint in manifest record");
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    if (v < 0) {
                        throw new CorruptionException(file, position, "negative value in manifest record");
                    }
                    return v;
                }
            }
            throw new CorruptionException(file, position, "varint longer than 10 bytes in manifest record");
        }

        long varintBounded(long max) {
            long v = varint();
            if (v > max) {
                throw new CorruptionException(file, position, "value " + v + " out of range (max " + max + ")");
            }
            return v;
        }

        byte[] bytes() {
            long len = varint();
            if (len > b.length - pos) {
                throw new CorruptionException(file, position, "length " + len + " runs past the manifest record");
            }
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + (int) len);
            pos += (int) len;
            return out;
        }
    }
}

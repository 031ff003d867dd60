package io.stratakv.storage.log;

import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.WritableFile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One segment file: records with offsets [baseOffset, nextOffset) in bytes [0, sizeBytes).
 *
 * <p>Only the active (last) segment has a writer. sizeBytes and nextOffset are written by the
 * thread that holds the log's append lock (or that recovers the log) and are published before the
 * log's endOffset, so a reader that has read endOffset sees at least the bytes it covers.
 */
final class Segment {

    static final String SUFFIX = ".log";
    private static final int DIGITS = 20;

    final long baseOffset;
    final Path path;
    final ReadableFile reader;
    final SparseIndex index = new SparseIndex();
    volatile WritableFile writer;
    volatile long sizeBytes;
    volatile long nextOffset;

    Segment(long baseOffset, Path path, ReadableFile reader) {
        this.baseOffset = baseOffset;
        this.path = path;
        this.reader = reader;
        this.nextOffset = baseOffset;
    }

    /** 20 digits, zero-padded, so names sort like offsets (Kafka's layout). */
    static String fileName(long baseOffset) {
        String digits = Long.toString(baseOffset);
        return "0".repeat(DIGITS - digits.length()) + digits + SUFFIX;
    }

    /** The base offset a segment file name encodes, or -1 if the name is not a segment's. */
    static long parseBaseOffset(String name) {
        if (name.length() != DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < DIGITS; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, DIGITS, 10);
        } catch (NumberFormatException tooLarge) {
            return -1;
        }
    }

    String name() {
        return path.toString();
    }

    /** Records with offsets ≥ baseOffset live here; this is the offset relative to the base. */
    int relative(long offset) {
        return Math.toIntExact(offset - baseOffset);
    }

    void closeWriter() {
        WritableFile w = writer;
        writer = null;
        if (w != null) {
            try {
                w.close();
            } catch (IOException ignored) {
                // The writer is closed after a sync or when the segment is dropped; nothing to lose.
            }
        }
    }

    void closeAll() {
        closeWriter();
        try {
            reader.close();
        } catch (IOException ignored) {
            // Read handles hold no unsynced state.
        }
    }

    @Override
    public String toString() {
        return "Segment[" + path.getFileName() + ", offsets " + baseOffset + ".." + nextOffset + ", " + sizeBytes + " bytes]";
    }
}

package io.stratakv.node.replication;

import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot stream (SNAPSHOT_FORMAT.md beside this file): a checkpoint of a leader's partition
 * (its LSM tree's tables, manifest and CURRENT at an applied log offset; the replicated request-id
 * table lives in the tree) framed with a CRC32C per file and one over the whole stream.
 *
 * <p>{@link #read} never trusts the stream: every file name is checked against the names an LSM
 * directory holds (no path separators, so nothing lands outside the target: the zip-slip class),
 * sizes against a cap, every checksum is verified, and any mismatch is a {@link MalformedSnapshot}.
 * The caller installs what it read only after read returned.
 */
public final class SnapshotStream {

    public static final String CONTENT_TYPE = "application/x-strata-snapshot";
    static final int MAGIC = 0x534B564E; // "SKVN"
    static final int TRAILER_MAGIC = 0x534B5654; // "SKVT"
    static final int VERSION = 1;
    /** More files than any tree of ours holds; a bigger count is a garbled header. */
    static final int MAX_FILES = 100_000;
    private static final int COPY_BUFFER = 64 << 10;
    /** The names an LSM directory holds (MANIFEST_FORMAT.md): tables, a manifest, CURRENT. */
    private static final Pattern FILE_NAME = Pattern.compile("[0-9]{6,20}\\.sst|MANIFEST-[0-9]{6,20}|CURRENT");

    /**
     * What the stream carries besides the files.
     *
     * @param leaderEpoch    the epoch of the leader that served it (the follower checks it is the one it follows)
     * @param snapshotOffset the tree holds every log entry up to and including this offset
     * @param snapshotEpoch  the epoch of the log entry at snapshotOffset
     */
    public record Header(String keyspace, int partitionId, long leaderEpoch, long snapshotOffset, long snapshotEpoch,
                         int fileCount) {
    }

    /** The stream broke a rule of the format: a checksum, a name, a size, a field. Never installed. */
    public static final class MalformedSnapshot extends IOException {
        public MalformedSnapshot(String message) {
            super(message);
        }
    }

    private SnapshotStream() {
    }

    /**
     * Writes header, files (read from dir, in the given order) and trailer to out. Returns the file
     * bytes written.
     */
    public static long write(OutputStream rawOut, Header h, Path dir, List<String> names) throws IOException {
        if (names.size() != h.fileCount()) {
            throw new IllegalArgumentException("header says " + h.fileCount() + " files, got " + names.size());
        }
        CRC32C streamCrc = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(rawOut, streamCrc));
        byte[] head = encodeHeader(h);
        out.write(head);
        out.writeInt(crc(head, head.length));
        byte[] buf = new byte[COPY_BUFFER];
        long total = 0;
        for (String name : names) {
            if (!FILE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not an LSM file name: " + name);
            }
            Path p = dir.resolve(name);
            long size = Files.size(p);
            byte[] nb = name.getBytes(StandardCharsets.UTF_8);
            out.writeShort(nb.length);
            out.write(nb);
            out.writeLong(size);
            CRC32C fileCrc = new CRC32C();
            long copied = 0;
            try (InputStream in = Files.newInputStream(p)) {
                int n;
                while (copied < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - copied))) > 0) {
                    out.write(buf, 0, n);
                    fileCrc.update(buf, 0, n);
                    copied += n;
                }
            }
            if (copied != size) {
                throw new IOException("file " + p + " changed size while streaming: " + copied + " of " + size);
            }
            out.writeInt((int) fileCrc.getValue());
            total += size;
        }
        out.writeInt(TRAILER_MAGIC);
        out.writeLong(total);
        out.flush();
        // The stream checksum covers every byte before itself, so it goes to the raw stream.
        int sc = (int) streamCrc.getValue();
        rawOut.write(new byte[]{(byte) (sc >>> 24), (byte) (sc >>> 16), (byte) (sc >>> 8), (byte) sc});
        rawOut.flush();
        return total;
    }

    /** The header fields as the stream carries them (its checksum follows them). */
    public static byte[] encodeHeader(Header h) {
        byte[] ks = h.keyspace().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 2 + ks.length + 4 + 8 + 8 + 8 + 4);
        b.putInt(MAGIC).put((byte) VERSION).putShort((short) ks.length).put(ks).putInt(h.partitionId())
                .putLong(h.leaderEpoch()).putLong(h.snapshotOffset()).putLong(h.snapshotEpoch()).putInt(h.fileCount());
        return b.array();
    }

    /**
     * Reads a whole stream into targetDir (which must exist and be empty): each file is written
     * with fs, fsynced, and its checksum verified; then the trailer and the stream checksum. The
     * directory itself is fsynced last.
     *
     * @param maxFileBytes no single file may be larger
     */
    public static Header read(InputStream rawIn, StorageFs fs, Path targetDir, long maxFileBytes) throws IOException {
        CRC32C streamCrc = new CRC32C();
        DataInputStream in = new DataInputStream(new CheckedInputStream(rawIn, streamCrc));
        try {
            Header h = readHeader(in);
            Set<String> seen = new HashSet<>();
            byte[] buf = new byte[COPY_BUFFER];
            long total = 0;
            for (int i = 0; i < h.fileCount(); i++) {
                int nameLen = in.readUnsignedShort();
                if (nameLen == 0 || nameLen > 64) {
                    throw new MalformedSnapshot("file " + i + ": name length " + nameLen);
                }
                String name = new String(in.readNBytes(nameLen), StandardCharsets.UTF_8);
                if (!FILE_NAME.matcher(name).matches()) {
                    throw new MalformedSnapshot("file " + i + ": '" + name + "' is not a name an LSM directory holds");
                }
                if (!seen.add(name)) {
                    throw new MalformedSnapshot("file " + name + " appears twice");
                }
                long size = in.readLong();
                if (size < 0 || size > maxFileBytes) {
                    throw new MalformedSnapshot("file " + name + ": size " + size + " outside [0, " + maxFileBytes + "]");
                }
                CRC32C fileCrc = new CRC32C();
                Path p = targetDir.resolve(name);
                try (WritableFile out = fs.create(p)) {
                    long left = size;
                    while (left > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            throw new MalformedSnapshot("stream ended inside file " + name + " (" + left + " bytes missing)");
                        }
                        fileCrc.update(buf, 0, n);
                        out.append(ByteBuffer.wrap(buf, 0, n));
                        left -= n;
                    }
                    int want = in.readInt();
                    if (want != (int) fileCrc.getValue()) {
                        throw new MalformedSnapshot("file " + name + ": checksum mismatch (stream says "
                                + Integer.toHexString(want) + ", bytes give " + Long.toHexString(fileCrc.getValue()) + ")");
                    }
                    out.sync();
                }
                total += size;
            }
            if (in.readInt() != TRAILER_MAGIC) {
                throw new MalformedSnapshot("no trailer after " + h.fileCount() + " files");
            }
            long declared = in.readLong();
            if (declared != total) {
                throw new MalformedSnapshot("trailer counts " + declared + " file bytes, the stream had " + total);
            }
            int computed = (int) streamCrc.getValue();
            int want = new DataInputStream(rawIn).readInt();
            if (want != computed) {
                throw new MalformedSnapshot("stream checksum mismatch (stream says " + Integer.toHexString(want)
                        + ", bytes give " + Integer.toHexString(computed) + ")");
            }
            fs.syncDir(targetDir);
            return h;
        } catch (EOFException e) {
            throw new MalformedSnapshot("stream ended early: " + e.getMessage());
        }
    }

    private static Header readHeader(DataInputStream in) throws IOException {
        CRC32C hc = new CRC32C();
        DataInputStream h = new DataInputStream(new CheckedInputStream(in, hc));
        int magic = h.readInt();
        if (magic != MAGIC) {
            throw new MalformedSnapshot("bad magic " + Integer.toHexString(magic));
        }
        int version = h.readUnsignedByte();
        if (version != VERSION) {
            throw new MalformedSnapshot("unsupported snapshot version " + version);
        }
        int ksLen = h.readUnsignedShort();
        if (ksLen == 0 || ksLen > 256) {
            throw new MalformedSnapshot("keyspace length " + ksLen);
        }
        String ks = new String(h.readNBytes(ksLen), StandardCharsets.UTF_8);
        int pid = h.readInt();
        long leaderEpoch = h.readLong();
        long offset = h.readLong();
        long epoch = h.readLong();
        int count = h.readInt();
        int computed = (int) hc.getValue();
        int want = in.readInt();
        if (want != computed) {
            throw new MalformedSnapshot("header checksum mismatch");
        }
        if (count < 0 || count > MAX_FILES || offset < -1 || leaderEpoch < 0 || epoch < 0) {
            throw new MalformedSnapshot("bad header fields: files " + count + ", offset " + offset + ", epochs "
                    + leaderEpoch + "/" + epoch);
        }
        return new Header(ks, pid, leaderEpoch, offset, epoch, count);
    }

    private static int crc(byte[] b, int len) {
        CRC32C c = new CRC32C();
        c.update(b, 0, len);
        return (int) c.getValue();
    }
}

package io.stratakv.storage.lsm;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The manifest: an append-only file of {@link VersionEdit} records, named by the CURRENT file.
 *
 * <p>Crash safety (MANIFEST_FORMAT.md): a new manifest is written whole (a snapshot edit), fsynced,
 * then CURRENT is replaced through a fsynced temp file and an atomic rename followed by a fsync of
 * the directory, so CURRENT always names a complete manifest (rocksdb #8682, leveldb #189). Each
 * later edit is appended and fsynced before it takes effect. A torn last record is an edit that never
 * took effect and is ignored; any other bad record fails the open. After a failed append the
 * manifest is never appended to again (the next edit rolls to a new manifest), so a partial record
 * can only ever be the last one (rocksdb #6316).
 */
final class Manifest implements AutoCloseable {

    static final String CURRENT = "CURRENT";
    static final String PREFIX = "MANIFEST-";
    private static final int HEADER = 8;
    /** Edits are small; anything larger is corruption, not an allocation to attempt. */
    private static final int MAX_RECORD = 64 << 20;

    private final StorageFs fs;
    private final Path dir;
    private WritableFile out;
    private long number;
    private boolean broken;

    Manifest(StorageFs fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    static String fileName(long number) {
        return String.format(PREFIX + "%06d", number);
    }

    long number() {
        return number;
    }

    long size() {
        try {
            return out == null ? 0 : out.size();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Starts a new manifest file holding snapshot, and points CURRENT at it. */
    void create(long newNumber, VersionEdit snapshot) {
        Path p = dir.resolve(fileName(newNumber));
        WritableFile f = null;
        try {
            f = fs.create(p);
            f.append(ByteBuffer.wrap(frame(snapshot.encode())));
            f.sync();
            fs.syncDir(dir);
            fs.writeAtomically(dir.resolve(CURRENT), (fileName(newNumber) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            closeQuietly(f);
            // CURRENT may already name the new file (the rename happened, its directory fsync
            // failed): never append to the old manifest again; the next edit rolls anew.
            broken = true;
            throw StorageException.io("writing manifest " + p, e);
        }
        WritableFile old = out;
        long oldNumber = number;
        out = f;
        number = newNumber;
        broken = false;
        closeQuietly(old);
        if (old != null) {
            try {
                fs.delete(dir.resolve(fileName(oldNumber)));
            } catch (IOException ignored) {
                // an old manifest left behind is removed at the next open
            }
        }
    }

    boolean needsRoll(long maxBytes) {
        return broken || out == null || size() > maxBytes;
    }

    /** Appends edit and fsyncs it; on failure the manifest is marked broken and must be rolled. */
    void append(VersionEdit edit) {
        if (broken || out == null) {
            throw new IllegalStateException("manifest must be rolled before appending");
        }
        try {
            out.append(ByteBuffer.wrap(frame(edit.encode())));
            out.sync();
        } catch (IOException e) {
            broken = true;
            throw StorageException.io("appending to manifest " + fileName(number), e);
        }
    }

    static byte[] frame(byte[] payload) {
        byte[] rec = new byte[HEADER + payload.length];
        Coding.putInt(rec, 0, payload.length);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        Coding.putInt(rec, 4, (int) crc.getValue());
        System.arraycopy(payload, 0, rec, HEADER, payload.length);
        return rec;
    }

    /** Name of the manifest CURRENT points to, or null if there is no CURRENT (a new database). */
    static String readCurrent(StorageFs fs, Path dir) {
        Path cur = dir.resolve(CURRENT);
        if (!fs.exists(cur)) {
            return null;
        }
        String name;
        try {
            name = new String(fs.readAll(cur), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw StorageException.io("reading " + cur, e);
        }
        if (!name.endsWith("\n") || !name.startsWith(PREFIX) || name.length() != PREFIX.length() + 7
                || !name.substring(PREFIX.length(), name.length() - 1).chars().allMatch(Character::isDigit)) {
            throw new CorruptionException(cur.toString(), 0, "CURRENT does not name a manifest");
        }
        return name.substring(0, name.length() - 1);
    }

    /** Reads every complete edit of a manifest; a torn last record is dropped. */
    static List<VersionEdit> readAll(StorageFs fs, Path file) {
        List<VersionEdit> edits = new ArrayList<>();
        try (ReadableFile in = fs.openRead(file)) {
            long size = in.size();
            long pos = 0;
            byte[] header = new byte[HEADER];
            while (pos < size) {
                if (size - pos < HEADER) {
                    break; // torn header at the tail
                }
                in.readFully(ByteBuffer.wrap(header), pos);
                int len = Coding.getInt(header, 0);
                if (len < 0 || len > MAX_RECORD) {
                    if (allZero(in, pos, size)) {
                        break;
                    }
                    throw new CorruptionException(file.toString(), pos, "manifest record length " + len + " out of range");
                }
                if (pos + HEADER + len > size) {
                    break; // torn record at the tail
                }
                byte[] payload = new byte[len];
                in.readFully(ByteBuffer.wrap(payload), pos + HEADER);
                CRC32C crc = new CRC32C();
                crc.update(payload);
                if ((int) crc.getValue() != Coding.getInt(header, 4)) {
                    if (pos + HEADER + len == size || allZero(in, pos + HEADER + len, size)) {
                        break; // the last record was torn
                    }
                    throw new CorruptionException(file.toString(), pos, "manifest record checksum mismatch");
                }
                edits.add(VersionEdit.decode(payload, file.toString(), pos));
                pos += HEADER + len;
            }
        } catch (IOException e) {
            // A read error must fail the open, never shorten the manifest (rocksdb #6288).
            throw StorageException.io("reading manifest " + file, e);
        }
        if (edits.isEmpty()) {
            throw new CorruptionException(file.toString(), 0, "manifest holds no complete record");
        }
        return edits;
    }

    private static boolean allZero(ReadableFile in, long from, long size) throws IOException {
        byte[] buf = new byte[4096];
        for (long p = from; p < size; ) {
            int n = (int) Math.min(buf.length, size - p);
            in.readFully(ByteBuffer.wrap(buf, 0, n), p);
            for (int i = 0; i < n; i++) {
                if (buf[i] != 0) {
                    return false;
                }
            }
            p += n;
        }
        return true;
    }

    private static void closeQuietly(WritableFile f) {
        if (f != null) {
            try {
                f.close();
            } catch (IOException ignored) {
                // nothing more to do with it
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(out);
        out = null;
    }
}

package io.stratakv.node.replication;

import io.stratakv.storage.log.LogRecord;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The binary bodies of the replication endpoints; byte layout in REPLICATION_FORMAT.md (all
 * integers big-endian). Every body starts with a version byte so the format can grow. Decoders
 * throw {@link MalformedReplicationMessage} on anything that does not parse or fails its checksum.
 */
public final class ReplicationCodec {

    public static final int VERSION = 1;
    /** Longest replica id accepted (node ids are at most 63 characters). */
    private static final int MAX_ID_BYTES = 255;

    private ReplicationCodec() {
    }

    /** Thrown by the decoders; the servlet answers INVALID_ARGUMENT, the client retries. */
    public static final class MalformedReplicationMessage extends RuntimeException {
        public MalformedReplicationMessage(String message) {
            super(message);
        }
    }

    public static byte[] encode(FetchRequest r) {
        return write(out -> {
            out.writeByte(VERSION);
            writeId(out, r.replicaId());
            out.writeLong(r.epoch());
            out.writeLong(r.fromOffset());
            out.writeLong(r.durableEnd());
            out.writeLong(r.knownCommit());
            out.writeLong(r.readToken());
            out.writeInt(r.maxBytes());
            out.writeInt(r.maxWaitMs());
        });
    }

    public static FetchRequest decodeFetchRequest(InputStream in) {
        return read(in, d -> {
            checkVersion(d);
            return new FetchRequest(readId(d), d.readLong(), d.readLong(), d.readLong(), d.readLong(), d.readLong(),
                    d.readInt(), d.readInt());
        });
    }

    public static byte[] encode(FetchResponse r) {
        return write(out -> {
            out.writeByte(VERSION);
            out.writeLong(r.leaderEpoch());
            out.writeLong(r.commitEnd());
            out.writeLong(r.leaderEnd());
            out.writeLong(r.logStart());
            out.writeLong(r.readToken());
            out.writeInt(r.records().size());
            CRC32C crc = new CRC32C();
            for (LogRecord rec : r.records()) {
                out.writeLong(rec.offset());
                out.writeLong(rec.epoch());
                out.writeInt(rec.payload().length);
                out.write(rec.payload());
                crc.reset();
                crc.update(rec.payload());
                out.writeInt((int) crc.getValue());
            }
        });
    }

    public static FetchResponse decodeFetchResponse(InputStream in, int maxPayloadBytes) {
        return read(in, d -> {
            checkVersion(d);
            long epoch = d.readLong();
            long commit = d.readLong();
            long leaderEnd = d.readLong();
            long logStart = d.readLong();
            long token = d.readLong();
            int n = d.readInt();
            if (n < 0) {
                throw new MalformedReplicationMessage("negative record count " + n);
            }
            List<LogRecord> records = new ArrayList<>(Math.min(n, 1024));
            CRC32C crc = new CRC32C();
            for (int i = 0; i < n; i++) {
                long offset = d.readLong();
                long recEpoch = d.readLong();
                int len = d.readInt();
                if (len < 0 || len > maxPayloadBytes) {
                    throw new MalformedReplicationMessage("record " + i + " has payload length " + len);
                }
                byte[] payload = d.readNBytes(len);
                if (payload.length != len) {
                    throw new EOFException();
                }
                crc.reset();
                crc.update(payload);
                if (d.readInt() != (int) crc.getValue()) {
                    throw new MalformedReplicationMessage("checksum mismatch in the record at offset " + offset);
                }
                records.add(new LogRecord(offset, recEpoch, payload));
            }
            return new FetchResponse(epoch, commit, leaderEnd, logStart, token, records);
        });
    }

    /** Epoch-end request: the follower's epoch, and the epoch whose end offset it asks for. */
    public record EpochEndRequest(String replicaId, long epoch, long requestedEpoch) {
    }

    /**
     * The leader's answer: for the largest epoch ≤ requestedEpoch in its log, that epoch and its
     * end offset; (-1, -1) if it has none (PartitionLog#endOffsetForEpoch).
     */
    public record EpochEndResponse(long leaderEpoch, long epoch, long endOffset) {
    }

    public static byte[] encode(EpochEndRequest r) {
        return write(out -> {
            out.writeByte(VERSION);
            writeId(out, r.replicaId());
            out.writeLong(r.epoch());
            out.writeLong(r.requestedEpoch());
        });
    }

    public static EpochEndRequest decodeEpochEndRequest(InputStream in) {
        return read(in, d -> {
            checkVersion(d);
            return new EpochEndRequest(readId(d), d.readLong(), d.readLong());
        });
    }

    public static byte[] encode(EpochEndResponse r) {
        return write(out -> {
            out.writeByte(VERSION);
            out.writeLong(r.leaderEpoch());
            out.writeLong(r.epoch());
            out.writeLong(r.endOffset());
        });
    }

    public static EpochEndResponse decodeEpochEndResponse(InputStream in) {
        return read(in, d -> {
            checkVersion(d);
            return new EpochEndResponse(d.readLong(), d.readLong(), d.readLong());
        });
    }

    // ------------------------------------------------------------------------------------ plumbing

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a byte array
        }
        return bytes.toByteArray();
    }

    private static <T> T read(InputStream in, Reader<T> r) {
        DataInputStream d = new DataInputStream(in);
        try {
            T value = r.read(d);
            if (d.read() != -1) {
                throw new MalformedReplicationMessage("trailing bytes after the message");
            }
            return value;
        } catch (EOFException e) {
            throw new MalformedReplicationMessage("the message ends early");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkVersion(DataInputStream d) throws IOException {
        int v = d.readUnsignedByte();
        if (v != VERSION) {
            throw new MalformedReplicationMessage("unsupported replication format version " + v);
        }
    }

    private static void writeId(DataOutputStream out, String id) throws IOException {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    private static String readId(DataInputStream d) throws IOException {
        int len = d.readUnsignedShort();
        if (len > MAX_ID_BYTES) {
            throw new MalformedReplicationMessage("replica id of " + len + " bytes");
        }
        byte[] b = d.readNBytes(len);
        if (b.length != len) {
            throw new EOFException();
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}

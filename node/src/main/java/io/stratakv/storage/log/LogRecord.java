package io.stratakv.storage.log;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One record of a partition log: its offset, the leader epoch that wrote it, and its payload.
 * Equality compares payload contents (a record component array would compare by identity).
 */
public record LogRecord(long offset, long epoch, byte[] payload) {

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r && r.offset == offset && r.epoch == epoch && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset) * 31 + Long.hashCode(epoch) * 17 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String p = payload == null ? "null"
                : payload.length <= 16 ? HexFormat.of().formatHex(payload) : payload.length + " bytes";
        return "LogRecord[offset=" + offset + ", epoch=" + epoch + ", payload=" + p + "]";
    }
}

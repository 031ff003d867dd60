package io.stratakv.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One item of a {@link StrataClient#batchPut}: a put (value present) or a delete (value empty),
 * optionally conditional on the key's current version ({@code ifVersion}, 0 = only if absent).
 */
public record BatchWrite(byte[] key, Optional<byte[]> value, OptionalLong ifVersion) {

    public BatchWrite {
        key = key.clone();
        value = value.map(byte[]::clone);
        if (ifVersion.isPresent() && ifVersion.getAsLong() < 0) {
            throw new IllegalArgumentException("ifVersion " + ifVersion.getAsLong() + " must be >= 0");
        }
    }

    public static BatchWrite put(byte[] key, byte[] value) {
        return new BatchWrite(key, Optional.of(value), OptionalLong.empty());
    }

    public static BatchWrite put(String key, String value) {
        return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    /** A put that applies only if the key's version is {@code ifVersion} (0: only if the key is absent). */
    public static BatchWrite putIfVersion(byte[] key, byte[] value, long ifVersion) {
        return new BatchWrite(key, Optional.of(value), OptionalLong.of(ifVersion));
    }

    public static BatchWrite delete(byte[] key) {
        return new BatchWrite(key, Optional.empty(), OptionalLong.empty());
    }

    public static BatchWrite delete(String key) {
        return delete(key.getBytes(StandardCharsets.UTF_8));
    }

    /** A delete that applies only if the key's version is {@code ifVersion}. */
    public static BatchWrite deleteIfVersion(byte[] key, long ifVersion) {
        return new BatchWrite(key, Optional.empty(), OptionalLong.of(ifVersion));
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    public boolean isDelete() {
        return value.isEmpty();
    }
}

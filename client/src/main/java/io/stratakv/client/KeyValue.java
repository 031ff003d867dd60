package io.stratakv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One entry of a scan: key, value and version. */
public record KeyValue(byte[] key, byte[] value, long version) {

    public KeyValue {
        key = key.clone();
        value = value.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv && kv.version == version && Arrays.equals(kv.key, key) && Arrays.equals(kv.value, value);
    }

    @Override
    public int hashCode() {
        return (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) * 31 + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "KeyValue[" + keyAsString() + ", version=" + version + ", " + value.length + " bytes]";
    }
}

package io.stratakv.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** One key of a {@link StrataClient#batchGet}: its value and version, or empty if it has none. */
public record BatchGetResult(byte[] key, Optional<Versioned> value) {

    public BatchGetResult {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }
}

package io.stratakv.storage;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/errors.md lists every storage engine error code: the doc stays true. */
class StorageErrorCodesDocTest {

    @Test
    void everyStorageCodeIsDocumented() throws Exception {
        Path p = Path.of("../docs/errors.md");
        if (!Files.exists(p)) {
            p = Path.of("docs/errors.md");
        }
        String doc = Files.readString(p);
        for (StorageErrorCode c : StorageErrorCode.values()) {
            assertThat(doc).as("row of %s", c).contains("| `" + c.name() + "` | " + (c.retryable() ? "yes" : "no") + " |");
        }
    }
}

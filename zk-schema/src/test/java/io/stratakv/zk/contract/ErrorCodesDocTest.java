package io.stratakv.zk.contract;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/errors.md lists every error code with its HTTP status and retryability: the doc stays true. */
class ErrorCodesDocTest {

    static String errorsDoc() throws Exception {
        Path p = Path.of("../docs/errors.md");
        if (!Files.exists(p)) {
            p = Path.of("docs/errors.md");
        }
        return Files.readString(p);
    }

    @Test
    void everyCodeIsDocumentedWithItsStatus() throws Exception {
        String doc = errorsDoc();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(doc).as("row of %s", c)
                    .contains("| `" + c.name() + "` | " + c.httpStatus() + " | " + (c.retryable() ? "yes" : "no") + " |");
        }
    }
}

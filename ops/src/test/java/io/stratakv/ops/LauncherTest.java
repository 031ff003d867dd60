package io.stratakv.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** ops/bin/strata answers help from any directory, also through a symlink, without building. */
class LauncherTest {

    @TempDir
    Path elsewhere;

    @Test
    void helpWorksFromAnotherDirectoryThroughASymlink() throws Exception {
        Path script = Path.of("bin/strata").toAbsolutePath();
        assertThat(Files.isExecutable(script)).isTrue();
        Path link = Files.createSymbolicLink(elsewhere.resolve("strata"), script);

        Process p = new ProcessBuilder("bash", link.toString(), "help")
                .directory(elsewhere.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("bench engine").contains("test").contains("dev [options]").contains("zookeeper [options]");
    }

    @Test
    void scriptIsStrictBash() throws IOException {
        String text = Files.readString(Path.of("bin/strata"));
        assertThat(text).startsWith("#!/usr/bin/env bash").contains("set -euo pipefail");
    }
}

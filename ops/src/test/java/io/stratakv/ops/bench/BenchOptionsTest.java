package io.stratakv.ops.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    void defaults() throws UsageException {
        BenchOptions o = BenchOptions.parse();
        assertThat(o.keys()).isEqualTo(1_000_000);
        assertThat(o.reads()).isEqualTo(1_000_000);
        assertThat(o.cacheMb()).isEqualTo(128);
        assertThat(o.seekNexts()).isEqualTo(10);
        assertThat(o.engines()).containsExactly(Side.STRATA, Side.ROCKSDB);
        assertThat(o.workloads()).containsExactly(Workload.values());
        assertThat(o.dir()).isEmpty();
        assertThat(o.out()).isEmpty();
        assertThat(o.warmupKeys()).isEqualTo(100_000);
    }

    @Test
    void everyFlag() throws UsageException {
        BenchOptions o = BenchOptions.parse("--keys", "2_000", "--reads=500", "--workloads", "readrandom,fillseq",
                "--engine", "rocksdb", "--cache-mb", "8", "--seek-nexts", "1", "--dir", "/tmp/x", "--out=r.json",
                "--seed", "7", "--warmup-keys", "0");
        assertThat(o.keys()).isEqualTo(2000);
        assertThat(o.reads()).isEqualTo(500);
        assertThat(o.workloads()).containsExactly(Workload.READRANDOM, Workload.FILLSEQ);
        assertThat(o.engines()).containsExactly(Side.ROCKSDB);
        assertThat(o.cacheMb()).isEqualTo(8);
        assertThat(o.seekNexts()).isEqualTo(1);
        assertThat(o.dir()).contains(Path.of("/tmp/x"));
        assertThat(o.out()).contains(Path.of("r.json"));
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.warmupKeys()).isZero();
    }

    @Test
    void readsAndWarmupFollowKeys() throws UsageException {
        BenchOptions o = BenchOptions.parse("--keys", "2000");
        assertThat(o.reads()).isEqualTo(2000);
        assertThat(o.warmupKeys()).isEqualTo(2000);
    }

    @Test
    void badCommandLinesAreRefusedWithAReason() {
        List<List<String>> bad = List.of(
                List.of("--bogus"),
                List.of("--keys"),
                List.of("--keys", "many"),
                List.of("--keys", "0"),
                List.of("--keys", "-5"),
                List.of("--cache-mb", "1.5"),
                List.of("--engine", "leveldb"),
                List.of("--workloads", "fillseq,nosuch"),
                List.of("--workloads", "fillseq,fillseq"),
                List.of("--out", ""),
                List.of("engine"),
                List.of("-k", "5"));
        for (List<String> args : bad) {
            assertThatThrownBy(() -> BenchOptions.parse(args.toArray(String[]::new)))
                    .as("%s", args)
                    .isInstanceOf(UsageException.class)
                    .hasMessageNotContaining("null");
        }
        assertThatThrownBy(() -> BenchOptions.parse("--bogus")).hasMessageContaining("unknown option '--bogus'");
        assertThatThrownBy(() -> BenchOptions.parse("--workloads", "nosuch")).hasMessageContaining("known: fillseq,");
    }

    @Test
    void theCommandExitsWith2AndUsageOnABadFlag() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EngineBench.main(new String[]{"--keys", "10", "--frobnicate"}, print(out), print(err));
        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("unknown option '--frobnicate'")
                .contains("usage: strata bench engine");
    }

    @Test
    void helpPrintsEveryWorkload() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = EngineBench.main(new String[]{"--help"}, print(out), print(new ByteArrayOutputStream()));
        assertThat(code).isZero();
        for (Workload w : Workload.values()) {
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(w.id());
        }
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}

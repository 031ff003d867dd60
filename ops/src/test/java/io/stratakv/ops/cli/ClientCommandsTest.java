package io.stratakv.ops.cli;

import io.stratakv.client.FakeBalancerAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kv commands run in-process against a real HTTP server that follows the balancer's contract
 * (the client's FakeBalancer: it has scan, which the real balancer gains on another branch):
 * output, exit codes and error lines.
 */
class ClientCommandsTest {

    private FakeBalancerAccess fake;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeBalancerAccess();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private int run(String command, String... args) {
        return runWithEnv(Map.of(ClientCommands.BALANCER_ENV, fake.url()), "", command, args);
    }

    private int runWithEnv(Map<String, String> env, String stdin, String command, String... args) {
        out.reset();
        err.reset();
        return ClientCommands.run(command, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void putGetDelAndTheirExitCodes() throws Exception {
        assertThat(run("kv", "put", "greeting", "hello world")).isZero();
        assertThat(out()).matches("OK version=\\d+ partition=\\d position=3:\\d+\\R");
        assertThat(run("kv", "get", "greeting")).isZero();
        assertThat(out()).isEqualTo("hello world" + System.lineSeparator());

        Path f = Files.write(dir.resolve("v.bin"), "from a file".getBytes(StandardCharsets.UTF_8));
        assertThat(run("kv", "put", "filed", "--file", f.toString(), "--consistency", "all")).isZero();
        assertThat(run("kv", "get", "filed", "--consistency", "EVENTUAL")).isZero();
        assertThat(out()).startsWith("from a file");
        assertThat(runWithEnv(Map.of(ClientCommands.BALANCER_ENV, fake.url()), "from stdin", "kv", "put", "in", "--file", "-"))
                .isZero();
        assertThat(run("kv", "get", "in")).isZero();
        assertThat(out()).startsWith("from stdin");

        assertThat(run("kv", "del", "greeting")).isZero();
        assertThat(out()).startsWith("OK version=0");
        assertThat(run("kv", "get", "greeting")).isEqualTo(1);
        assertThat(err()).contains("KEY_NOT_FOUND");
        assertThat(out()).isEmpty();
    }

    @Test
    void compareAndSetFailureIsExitOneWithTheCode() {
        assertThat(run("kv", "put", "c", "1", "--if-version", "0")).isZero();
        assertThat(run("kv", "put", "c", "2", "--if-version", "0")).isEqualTo(1);
        assertThat(err()).startsWith("strata: PRECONDITION_FAILED: ");
        assertThat(run("kv", "get", "c")).isZero();
        assertThat(out()).startsWith("1");
    }

    @Test
    void scanPrintsKeyTabValueInKeyOrderAcrossPages() {
        for (int i = 0; i < 130; i++) {
            fake.putDirect("default", String.format("user:%03d", i), "v" + i);
        }
        fake.putDirect("default", "zzz", "other");
        assertThat(run("kv", "scan", "--prefix", "user:")).isZero();
        String[] lines = out().split("\\R");
        assertThat(lines).hasSize(130);
        assertThat(lines[0]).isEqualTo("user:000\tv0");
        assertThat(lines[129]).isEqualTo("user:129\tv129");
        assertThat(run("kv", "scan", "--start", "user:010", "--end", "user:013")).isZero();
        assertThat(out().split("\\R")).containsExactly("user:010\tv10", "user:011\tv11", "user:012\tv12");
        assertThat(run("kv", "scan", "--limit", "5")).isZero();
        assertThat(out().split("\\R")).hasSize(5);
    }

    @Test
    void usageErrorsAreExitTwo() {
        assertThat(run("kv")).isEqualTo(2);
        assertThat(err()).contains("missing kv operation").contains("usage:");
        assertThat(run("kv", "put", "k")).isEqualTo(2);
        assertThat(run("kv", "get", "k", "--bogus", "x")).isEqualTo(2);
        assertThat(err()).contains("unknown option --bogus");
        assertThat(run("kv", "get", "k", "--consistency", "QUORUM")).isEqualTo(2); // a write level on a read
        assertThat(run("kv", "scan", "--prefix", "a", "--start", "b")).isEqualTo(2);
        assertThat(run("kv", "frobnicate")).isEqualTo(2);
        assertThat(run("kv", "get", "k", "--keyspace", "Not Valid")).isEqualTo(2);
        assertThat(run("keyspace", "create", "x")).isEqualTo(2);
        assertThat(err()).contains("--partitions");
        assertThat(run("partition", "transfer-leader", "default", "0")).isEqualTo(2);
    }

    @Test
    void anUnreachableBalancerIsExitThreeWithTheCode() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        int code = runWithEnv(Map.of(), "", "kv", "get", "k", "--balancer", "http://127.0.0.1:" + dead,
                "--timeout-ms", "300");
        assertThat(code).isEqualTo(3);
        assertThat(err()).startsWith("strata: UNREACHABLE: ");
        // the option wins over the environment
        code = runWithEnv(Map.of(ClientCommands.BALANCER_ENV, "http://127.0.0.1:" + dead), "", "kv", "put", "k", "v",
                "--balancer", fake.url());
        assertThat(code).isZero();
    }
}

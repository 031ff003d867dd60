package io.stratakv.ops.dev;

import io.stratakv.ops.Ports;
import io.stratakv.ops.Strata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: `strata dev` as a real child JVM (this test's classpath: the fat jar is shaded only
 * after the tests), driven over HTTP through the balancer it prints, stopped with SIGTERM; every
 * service process must be gone. A second run on the same data directory still has the key the
 * first run wrote.
 */
class DevCommandTest {

    private static final Pattern BALANCER = Pattern.compile("^\\s+balancer\\s+(http://\\S+)");
    /** Two starts of five JVMs on a shared 2-core machine; generous, a hung start fails here. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(170);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();
    private final Set<Long> servicePids = new HashSet<>();

    /** Whatever happens in a test, nothing it started keeps running. */
    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (long pid : servicePids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void devServesStopsEveryProcessOnSigtermAndKeepsItsData() throws Exception {
        Path data = dir.resolve("dev");
        int base = freeBlock(5 + 2 * 3);

        Run first = startDev(data, base);
        String balancer = first.balancerUrl();
        assertThat(balancer).isEqualTo("http://127.0.0.1:" + (base + 3));

        assertThat(send("PUT", balancer + "/v1/kv/hello", "world").statusCode()).isEqualTo(200);
        HttpResponse<String> got = send("GET", balancer + "/v1/kv/hello", null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("world");
        assertThat(send("DELETE", balancer + "/v1/kv/hello", null).statusCode() / 100).isEqualTo(2);
        assertThat(send("GET", balancer + "/v1/kv/hello", null).statusCode()).isEqualTo(404);
        assertThat(send("PUT", balancer + "/v1/kv/kept", "from-the-first-run").statusCode()).isEqualTo(200);

        stopAndCheckEverythingIsGone(first, data);

        Run second = startDev(data, base);
        HttpResponse<String> kept = send("GET", second.balancerUrl() + "/v1/kv/kept", null);
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        assertThat(kept.body()).isEqualTo("from-the-first-run");

        // A service that dies is reported (a kill is a kill: dev does not restart it).
        ProcessHandle node3 = second.byName().get("node-3");
        assertThat(node3.destroyForcibly()).isTrue();
        String report = "node-3 (pid " + node3.pid() + ") exited unexpectedly with code 137 (signal 9)";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!second.output().toString().contains(report) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(second.output().toString()).contains(report).contains("the other services keep running");
        stopAndCheckEverythingIsGone(second, data);
    }

    @Test
    void aTakenPortIsAClearErrorAndStartsNothing() throws Exception {
        int base = freeBlock(5 + 2 * 3);
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.setReuseAddress(true);
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", base + 3)); // the balancer's
            Process p = new ProcessBuilder(javaCommand(dir.resolve("dev"), base)).redirectErrorStream(true).start();
            started.add(p);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("port " + (base + 3) + " (balancer) is already in use").contains("--base-port");
            assertThat(Files.exists(dir.resolve("dev").resolve(DevCluster.PID_FILE))).isFalse();
        }
    }

    private record Run(Process process, String balancerUrl, StringBuffer output, List<ProcessHandle> children,
                       java.util.Map<String, ProcessHandle> byName, Thread reader) {
    }

    private List<String> javaCommand(Path data, int base) {
        return List.of(DevCluster.javaBinary(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Strata.class.getName(), "dev", "--data-dir", data.toString(), "--base-port", Integer.toString(base),
                "--timeout", Long.toString(READY_WITHIN.toSeconds() - 10));
    }

    private Run startDev(Path data, int base) throws Exception {
        Process p = new ProcessBuilder(javaCommand(data, base)).redirectErrorStream(true).start();
        started.add(p);
        StringBuffer output = new StringBuffer();
        String[] balancer = new String[1];
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    Matcher m = BALANCER.matcher(line);
                    if (m.find()) {
                        balancer[0] = m.group(1);
                    }
                    if (line.startsWith("Ctrl-C stops everything")) {
                        ready.countDown(); // the banner is complete
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
            ready.countDown();
        }, "dev-output");
        reader.setDaemon(true);
        reader.start();
        assertThat(ready.await(READY_WITHIN.toSeconds(), TimeUnit.SECONDS)).as("ready in time; output:\n%s", output).isTrue();
        if (!output.toString().contains(DevCommand.READY)) {
            keepLogs(data); // the temp dir goes away with the test: keep what explains the failure
        }
        assertThat(output.toString()).as("output").contains(DevCommand.READY);
        assertThat(balancer[0]).as("balancer URL in:\n%s", output).isNotNull();
        output.toString().lines().filter(l -> l.startsWith(DevCommand.READY)).forEach(System.out::println);

        List<String> pidLines = Files.readAllLines(data.resolve(DevCluster.PID_FILE));
        assertThat(pidLines.getFirst()).isEqualTo("dev " + p.pid());
        List<ProcessHandle> children = new ArrayList<>();
        java.util.Map<String, ProcessHandle> byName = new java.util.HashMap<>();
        for (String line : pidLines.subList(1, pidLines.size())) {
            long pid = Long.parseLong(line.split(" ")[1]);
            servicePids.add(pid);
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("not running: " + line));
            children.add(h);
            byName.put(line.split(" ")[0], h);
        }
        assertThat(pidLines.subList(1, pidLines.size())).extracting(l -> l.split(" ")[0])
                .containsExactlyInAnyOrder("controller", "node-1", "node-2", "node-3", "balancer");
        // The pid file lists exactly the dev process's children.
        assertThat(p.children().map(ProcessHandle::pid).toList())
                .containsExactlyInAnyOrderElementsOf(children.stream().map(ProcessHandle::pid).toList());
        return new Run(p, balancer[0], output, children, byName, reader);
    }

    private static void stopAndCheckEverythingIsGone(Run run, Path data) throws Exception {
        List<ProcessHandle> all = new ArrayList<>(run.children());
        run.process().descendants().forEach(all::add);
        // SIGTERM, as a service manager would (Ctrl-C is SIGINT, handled alike). Through the handle:
        // Process.destroy() would also close our end of its stdout, and its last lines would be lost.
        assertThat(run.process().toHandle().destroy()).isTrue();
        assertThat(run.process().waitFor(90, TimeUnit.SECONDS)).as("dev stops; output:\n%s", run.output()).isTrue();
        run.reader().join(10_000); // the rest of its output
        for (ProcessHandle h : all) {
            // Their parent waited for each one, so they are gone already; allow the reaper a moment.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (h.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(h.isAlive()).as("pid %d still alive", h.pid()).isFalse();
        }
        String out = run.output().toString();
        assertThat(out).contains("stopped balancer").contains("stopped controller").contains("stopped node-3")
                .contains("stopped zookeeper").doesNotContain("killed after");
        // Order: balancer, controller, nodes, then ZooKeeper.
        assertThat(out.indexOf("stopped balancer")).isLessThan(out.indexOf("stopped controller"));
        assertThat(out.indexOf("stopped controller")).isLessThan(out.indexOf("stopped node-1"));
        assertThat(out.indexOf("stopped node-3")).isLessThan(out.indexOf("stopped zookeeper"));
        assertThat(out).as("a stop requested by dev is not an unexpected exit")
                .doesNotContain("(pid " + run.children().getFirst().pid() + ") exited unexpectedly");
        assertThat(out.lines().filter(l -> l.contains("exited unexpectedly") && !l.contains("node-3 (pid")).toList()).isEmpty();
        assertThat(Files.exists(data.resolve(DevCluster.PID_FILE))).isFalse();
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A block of consecutive free loopback ports (other tests on this machine use ports too). */
    static int freeBlock(int size) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            boolean free = true;
            for (int p = base; p < base + size && free; p++) {
                free = Ports.isFree(DevPorts.HOST, p);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no block of " + size + " free ports found");
    }

    /** Copies the services' logs to target/dev-failure-logs (surefire's temp dirs are deleted). */
    private static void keepLogs(java.nio.file.Path data) {
        java.nio.file.Path logs = data.resolve("logs");
        java.nio.file.Path keep = java.nio.file.Path.of("target", "dev-failure-logs", Long.toString(System.currentTimeMillis()));
        try (var files = Files.list(logs)) {
            Files.createDirectories(keep);
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                Files.copy(f, keep.resolve(f.getFileName()));
            }
            System.out.println("dev logs kept in " + keep.toAbsolutePath());
        } catch (java.io.IOException e) {
            System.out.println("could not keep the dev logs: " + e);
        }
    }
}

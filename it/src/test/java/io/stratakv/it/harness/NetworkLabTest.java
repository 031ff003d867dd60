package io.stratakv.it.harness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The network lab itself: partitions cut TCP both ways and heal restores it, the test JVM keeps
 * reaching every host, and nothing (namespace, bridge, process) outlives the lab or a dead test JVM.
 */
class NetworkLabTest {
    private static final int PORT = 7999;

    @TempDir
    Path dir;
    private NetworkLab lab;
    private final List<ServiceProcess> listeners = new java.util.ArrayList<>();

    @BeforeEach
    void needsNamespaces() {
        Optional<String> why = NetworkLab.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "network namespaces unavailable: " + why.orElse(""));
    }

    @AfterEach
    void cleanUp() {
        listeners.forEach(ServiceProcess::kill);
        if (lab != null) lab.close();
    }

    /** A TCP listener on PORT inside the host's namespace, as a child JVM (single-file source). */
    private void listen(String host) throws IOException {
        Path src = dir.resolve("Listen.java");
        Files.writeString(src, """
                public class Listen {
                    public static void main(String[] a) throws Exception {
                        try (var s = new java.net.ServerSocket()) {
                            s.bind(new java.net.InetSocketAddress(a[0], Integer.parseInt(a[1])));
                            while (true) s.accept().close();
                        }
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ServiceProcess p = new ServiceProcess(host, ServiceProcess.Kind.NODE, Optional.of(lab.namespace(host)),
                List.of(java, src.toString(), lab.address(host), Integer.toString(PORT)), dir.resolve(host + ".log"));
        p.start();
        listeners.add(p);
        Cluster.await(host + " listening", Duration.ofSeconds(30), () -> reachableFromTestJvm(host));
    }

    private boolean reachableFromTestJvm(String host) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(lab.address(host), PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code from} can open a TCP connection to {@code to}, tried from inside from's namespace. */
    private boolean connects(String from, String to) {
        return Shell.tryRun("ip", "netns", "exec", lab.namespace(from), "timeout", "2", "bash", "-c",
                "exec 3<>/dev/tcp/" + lab.address(to) + "/" + PORT).ok();
    }

    @Test
    void aPartitionCutsBothWaysAndHealRestores() throws Exception {
        lab = new NetworkLab();
        for (String h : List.of("a", "b", "c")) lab.addHost(h);
        listen("a");
        listen("b");
        listen("c");
        assertThat(connects("a", "b")).isTrue();
        assertThat(connects("b", "a")).isTrue();

        lab.partition(List.of("a"), List.of("b"));
        assertThat(connects("a", "b")).as("a -> b cut").isFalse();
        assertThat(connects("b", "a")).as("b -> a cut").isFalse();
        assertThat(connects("a", "c")).as("c is in no group").isTrue();
        assertThat(connects("c", "b")).isTrue();
        assertThat(reachableFromTestJvm("a")).as("the test JVM reaches every host").isTrue();
        assertThat(reachableFromTestJvm("b")).isTrue();

        lab.isolate("c");
        assertThat(connects("c", "a")).isFalse();
        assertThat(connects("b", "c")).isFalse();
        assertThat(connects("a", "b")).as("isolate replaces the earlier partition").isTrue();

        lab.heal();
        assertThat(connects("a", "b")).isTrue();
        assertThat(connects("b", "c")).isTrue();
        assertThat(connects("c", "a")).isTrue();
    }

    @Test
    void closeRemovesNamespacesBridgeAndProcesses() throws Exception {
        lab = new NetworkLab();
        lab.addHost("a");
        String ns = lab.namespace("a");
        listen("a");
        long pid = listeners.getFirst().pid();
        lab.close();
        assertThat(Shell.run("ip", "netns", "list")).doesNotContain(ns);
        Cluster.await("the listener killed with its namespace", Duration.ofSeconds(10),
                () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(Shell.run("ip", "-o", "link", "show", "type", "bridge")).doesNotContain("skb"
                + Long.toString(ProcessHandle.current().pid(), 36) + "_");
    }

    @Test
    void sweepRemovesWhatADeadTestJvmLeft() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        String ns = "skv-" + deadPid + "-1-left";
        String bridge = "skb" + Long.toString(deadPid, 36) + "_1";
        Shell.run("ip", "netns", "add", ns);
        Shell.run("ip", "link", "add", bridge, "type", "bridge");
        try {
            NetworkLab.sweepStale();
            assertThat(Shell.run("ip", "netns", "list")).doesNotContain(ns);
            assertThat(Shell.run("ip", "-o", "link", "show", "type", "bridge")).doesNotContain(bridge);
        } finally {
            Shell.tryRun("ip", "netns", "del", ns);
            Shell.tryRun("ip", "link", "del", bridge);
        }
    }
}

package io.stratakv.ops.zookeeper;

import io.stratakv.ops.Ports;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Reader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `strata zookeeper`'s server: a real ZooKeeper that Curator can use, that stops on close and keeps its data. */
class ZooKeeperServiceTest {

    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static CuratorFramework connect(String connectString) {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs(10_000).connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        c.start();
        return c;
    }

    @Test
    void standaloneServesCuratorStopsOnCloseAndKeepsItsData() throws Exception {
        int port = freePort();
        Path data = dir.resolve("zk");
        try (ZooKeeperService zk = ZooKeeperService.standalone("127.0.0.1", port, data, ExitHandler.LOG_ONLY)) {
            zk.start(Duration.ofSeconds(30));
            assertThat(zk.connectString()).endsWith(":" + port);
            try (CuratorFramework c = connect(zk.connectString())) {
                assertThat(c.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
                c.create().creatingParentsIfNeeded().forPath("/strata/test/hello", "world".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(c.getData().forPath("/strata/test/hello"), StandardCharsets.UTF_8)).isEqualTo("world");
            }
            assertThat(Ports.isFree("127.0.0.1", port)).as("the server holds its port").isFalse();
        }
        // Closed: the port is released (a client could no longer connect).
        assertThat(Ports.isFree("127.0.0.1", port)).as("port released after close").isTrue();
        assertThat(Files.list(data).toList()).as("snapshots and logs in the data dir").isNotEmpty();

        // The same data directory again: the znode is still there.
        try (ZooKeeperService zk = ZooKeeperService.standalone("127.0.0.1", port, data, ExitHandler.LOG_ONLY)) {
            zk.start(Duration.ofSeconds(30));
            try (CuratorFramework c = connect(zk.connectString())) {
                assertThat(c.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
                assertThat(new String(c.getData().forPath("/strata/test/hello"), StandardCharsets.UTF_8)).isEqualTo("world");
            }
        }
    }

    @Test
    void commandLineRefusesAPortInUseAndBadCombinations() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            ZooKeeperCommand.Options o = ZooKeeperCommand.parse(new String[]{
                    "--port", Integer.toString(taken.getLocalPort()), "--data-dir", dir.resolve("zk").toString()});
            assertThatThrownBy(() -> ZooKeeperCommand.build(o, ExitHandler.LOG_ONLY))
                    .isInstanceOf(ZooKeeperConfigException.class).hasMessageContaining("already in use");
        }
        assertThatThrownBy(() -> ZooKeeperCommand.parse(new String[]{"--config", "x.properties", "--port", "1"}))
                .hasMessageContaining("do not combine");
        assertThatThrownBy(() -> ZooKeeperCommand.parse(new String[]{"--myid", "2"}))
                .hasMessageContaining("--myid needs --config");
        assertThatThrownBy(() -> ZooKeeperCommand.parse(new String[]{"--port", "70000"}))
                .hasMessageContaining("from 1 to 65535");
        assertThatThrownBy(() -> ZooKeeperCommand.parse(new String[]{"--frobnicate"}))
                .hasMessageContaining("unknown option");
    }

    @Test
    void exampleFilesParse() throws Exception {
        for (String f : List.of("zookeeper.properties", "three-node/zookeeper.properties")) {
            Properties p = load(f);
            assertThat(p.getProperty("clientPort")).as(f).isEqualTo("2181");
            assertThat(p.getProperty("admin.enableServer")).as(f).isEqualTo("false");
            p.setProperty("dataDir", dir.resolve(f.replace('/', '-')).toString());
            ZooKeeperService.fromProperties(p, OptionalLong.empty(), ExitHandler.LOG_ONLY).close();
        }
        Properties ensemble = load("zookeeper-ensemble.properties");
        ensemble.setProperty("dataDir", dir.resolve("ensemble").toString());
        assertThatThrownBy(() -> ZooKeeperService.fromProperties(ensemble, OptionalLong.empty(), ExitHandler.LOG_ONLY))
                .isInstanceOf(ZooKeeperConfigException.class).hasMessageContaining("--myid");
        ZooKeeperService.fromProperties(ensemble, OptionalLong.of(2), ExitHandler.LOG_ONLY).close();
        assertThat(Files.readString(dir.resolve("ensemble/myid")).trim()).isEqualTo("2");
        // A server's id never changes: a different --myid on the same data directory is refused.
        assertThatThrownBy(() -> ZooKeeperService.fromProperties(ensemble, OptionalLong.of(3), ExitHandler.LOG_ONLY))
                .hasMessageContaining("says this server is 2");
        ZooKeeperService.fromProperties(ensemble, OptionalLong.empty(), ExitHandler.LOG_ONLY).close();
    }

    /** Three members of one ensemble (in this JVM, on loopback) elect a leader and serve one namespace. */
    @Test
    void threeServerEnsembleServes() throws Exception {
        int[] client = {freePort(), freePort(), freePort()};
        int[] quorum = {freePort(), freePort(), freePort()};
        int[] election = {freePort(), freePort(), freePort()};
        List<ZooKeeperService> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Properties p = new Properties();
                p.setProperty("dataDir", dir.resolve("member-" + (i + 1)).toString());
                p.setProperty("clientPort", Integer.toString(client[i]));
                p.setProperty("clientPortAddress", "127.0.0.1");
                for (int j = 0; j < 3; j++) {
                    p.setProperty("server." + (j + 1), "127.0.0.1:" + quorum[j] + ":" + election[j]);
                }
                servers.add(ZooKeeperService.fromProperties(p, OptionalLong.of(i + 1), ExitHandler.LOG_ONLY));
            }
            // A member's start waits for a quorum, so the three start together.
            List<Thread> starts = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (ZooKeeperService s : servers) {
                Thread t = new Thread(() -> {
                    try {
                        s.start(Duration.ofSeconds(60));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                t.start();
                starts.add(t);
            }
            for (Thread t : starts) {
                t.join(90_000);
            }
            assertThat(failures).isEmpty();
            try (CuratorFramework writer = connect("127.0.0.1:" + client[0]);
                 CuratorFramework reader = connect("127.0.0.1:" + client[2])) {
                assertThat(writer.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
                writer.create().forPath("/ensemble", "one".getBytes(StandardCharsets.UTF_8));
                assertThat(reader.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
                // Another member's view: it applies the committed write shortly after.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (reader.checkExists().forPath("/ensemble") == null && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(new String(reader.getData().forPath("/ensemble"), StandardCharsets.UTF_8)).isEqualTo("one");
            }
        } finally {
            servers.forEach(ZooKeeperService::close);
        }
    }

    private static Properties load(String example) throws Exception {
        Path f = Path.of("../config-examples").resolve(example);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}

package io.stratakv.ops.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes each dev service's YAML under {@code <data-dir>/conf/}, starting from the examples in
 * config-examples (carried in the jar) and changing only what a local cluster needs: ids, ports,
 * data directories, the ZooKeeper address, the default keyspace's size, loopback binding, plain
 * text logs (each service's output goes to {@code <data-dir>/logs/<service>.log}), no per-request
 * log lines, node caches sized for a 512 MiB heap, and shorter reconcile and health-poll
 * intervals (a tiny cluster on one host reacts in a second or two). Rewritten at every start, so a
 * changed example or option takes effect.
 */
final class DevConfigs {

    /** Per partition replica; a node holds partitions × replication / nodes of them (8 by default). */
    static final String DEV_MEMTABLE_SIZE = "8MiB";
    static final String DEV_BLOCK_CACHE_SIZE = "8MiB";
    static final String CLUSTER = "dev";

    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final DevOptions options;
    private final DevPorts ports;

    DevConfigs(DevOptions options, DevPorts ports) {
        this.options = options;
        this.ports = ports;
    }

    Path confDir() {
        return options.dataDir().resolve("conf");
    }

    Path logDir() {
        return options.dataDir().resolve("logs");
    }

    /** Class-data-sharing archives of the services' JVMs (a cache: safe to delete). */
    Path cdsDir() {
        return options.dataDir().resolve("cds");
    }

    Path zookeeperDataDir() {
        return options.dataDir().resolve("zookeeper");
    }

    Path nodeDataDir(int i) {
        return options.dataDir().resolve("node-" + i);
    }

    static String nodeId(int i) {
        return "node-" + i;
    }

    String zookeeperConnect() {
        return DevPorts.HOST + ":" + ports.zookeeper();
    }

    ObjectNode controller() {
        ObjectNode c = example("controller.yml");
        c.put("controllerId", "controller-1");
        zookeeper(c);
        ObjectNode dk = c.withObjectProperty("defaultKeyspace");
        dk.put("name", "default");
        dk.put("partitions", options.partitions());
        dk.put("replicationFactor", options.replication());
        // A three-node cluster on one host is cheap to re-read: react within a second or two
        // (elections after a restart, node health) instead of the examples' 5 s and 2 s.
        c.put("reconcileInterval", "1s");
        c.put("healthPollInterval", "1s");
        server(c, ports.controller(), ports.controllerAdmin());
        logging(c);
        return c;
    }

    ObjectNode node(int i) {
        ObjectNode n = example("node.yml");
        n.put("nodeId", nodeId(i));
        n.put("rack", "");
        n.put("dataDir", nodeDataDir(i).toString());
        n.put("advertisedHost", DevPorts.HOST);
        zookeeper(n);
        ObjectNode storage = n.withObjectProperty("storage");
        storage.put("memtableSize", DEV_MEMTABLE_SIZE);
        storage.put("blockCacheSize", DEV_BLOCK_CACHE_SIZE);
        n.withObjectProperty("replication").put("reconcileInterval", "2s");
        server(n, ports.nodes().get(i - 1), ports.nodesAdmin().get(i - 1));
        logging(n);
        return n;
    }

    ObjectNode balancer() {
        ObjectNode b = example("balancer.yml");
        zookeeper(b);
        b.put("reconcileInterval", "2s");
        server(b, ports.balancer(), ports.balancerAdmin());
        logging(b);
        return b;
    }

    /** Writes every service's YAML; returns the files by service name. */
    java.util.Map<String, Path> writeAll() throws IOException {
        Files.createDirectories(confDir());
        Files.createDirectories(logDir());
        java.util.Map<String, Path> files = new java.util.LinkedHashMap<>();
        files.put("controller", write("controller", "controller.yml", controller()));
        for (int i = 1; i <= options.nodes(); i++) {
            files.put(nodeId(i), write(nodeId(i), "node.yml", node(i)));
        }
        files.put("balancer", write("balancer", "balancer.yml", balancer()));
        return files;
    }

    private Path write(String service, String example, ObjectNode tree) throws IOException {
        Path file = confDir().resolve(service + ".yml");
        String text = "# Generated by `strata dev` from config-examples/" + example + " at every start: edits here are\n"
                + "# overwritten. Run this service alone with: strata " + serviceKind(service) + " server " + file + "\n"
                + YAML.writeValueAsString(tree);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    static String serviceKind(String service) {
        return service.startsWith("node-") ? "node" : service;
    }

    private void zookeeper(ObjectNode root) {
        ObjectNode zk = root.withObjectProperty("zookeeper");
        zk.put("connect", zookeeperConnect());
        zk.put("cluster", CLUSTER);
    }

    private static void server(ObjectNode root, int appPort, int adminPort) {
        ObjectNode server = root.withObjectProperty("server");
        server.set("applicationConnectors", connectors(appPort));
        server.set("adminConnectors", connectors(adminPort));
        // One log line per HTTP request would drown the service's own lines (and the disk under load).
        server.withObjectProperty("requestLog").set("appenders", JsonNodeFactory.instance.arrayNode());
    }

    private static ArrayNode connectors(int port) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        ObjectNode c = a.addObject();
        c.put("type", "http");
        c.put("bindHost", DevPorts.HOST);
        c.put("port", port);
        return a;
    }

    private static void logging(ObjectNode root) {
        ObjectNode logging = JsonNodeFactory.instance.objectNode();
        logging.put("level", "INFO");
        // Text, not the examples' JSON: these logs are for a person with `tail -f`.
        logging.putArray("appenders").addObject().put("type", "console");
        root.set("logging", logging);
    }

    /** The example as shipped in the jar (ops copies config-examples into it). */
    static ObjectNode example(String name) {
        String resource = "/config-examples/" + name;
        try (InputStream in = DevConfigs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath (the ops build copies config-examples)");
            }
            JsonNode tree = YAML.readTree(in);
            if (!(tree instanceof ObjectNode o)) {
                throw new IllegalStateException(resource + " is not a YAML mapping");
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.stratakv.it.harness;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network for one cluster: a Linux bridge in the root namespace (address {@code .1}, so
 * the test JVM reaches every host) and one network namespace per host, joined to the bridge by a
 * veth pair, on a {@code 10.a.b.0/24} subnet no other live lab uses.
 *
 * <p>Faults: {@link #partition} drops packets between hosts of different groups with iptables
 * rules inside both hosts' namespaces (INPUT and OUTPUT, so a cut is symmetric and immediate,
 * existing TCP connections included); {@link #heal} flushes them. {@link #slow} adds netem delay
 * and loss when the kernel has {@code sch_netem}, else loss alone with the iptables statistic match.
 *
 * <p>Names carry the test JVM's pid ({@code skv-<pid>-<n>-<host>} namespaces, {@code skb<pid36>_<n>}
 * bridges; veths die with their namespace), so {@link #sweepStale()} can remove what a killed test
 * JVM left behind without touching another live run's labs.
 */
public final class NetworkLab implements AutoCloseable {
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid();
    private static final Pattern NETNS = Pattern.compile("^skv-(\\d+)-\\d+-\\S+");
    private static final Pattern BRIDGE = Pattern.compile("^skb([0-9a-z]+)_[0-9a-z]+$");

    private final int lab = LABS.incrementAndGet();
    private final String subnet;
    private final String bridge;
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Set<String> withRules = new HashSet<>();
    private final Set<String> slowed = new HashSet<>();
    private boolean closed;

    /** Whether this machine can run labs: root, {@code ip} and {@code iptables}, and a namespace can be made. */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) return Optional.of("not Linux");
        if (!Shell.onPath("ip")) return Optional.of("`ip` (iproute2) is not installed");
        if (!Shell.onPath("iptables")) return Optional.of("`iptables` is not installed (.ci/run installs it)");
        String probe = "skv-" + PID + "-0-probe";
        Shell.Result r = Shell.tryRun("ip", "netns", "add", probe);
        if (!r.ok()) return Optional.of("cannot create a network namespace (root needed): " + r.output());
        Shell.tryRun("ip", "netns", "del", probe);
        return Optional.empty();
    }

    public NetworkLab() {
        sweepStale();
        this.bridge = "skb" + Long.toString(PID, 36) + "_" + Integer.toString(lab, 36);
        this.subnet = freeSubnet();
        try {
            Shell.run("ip", "link", "add", bridge, "type", "bridge");
            Shell.run("ip", "addr", "add", subnet + ".1/24", "dev", bridge);
            Shell.run("ip", "link", "set", bridge, "up");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The address the test JVM has on this network. */
    public String gatewayAddress() {
        return subnet + ".1";
    }

    /** Creates the namespace of a host and returns its address. */
    public synchronized String addHost(String host) {
        if (namespaces.containsKey(host)) return addresses.get(host);
        int index = namespaces.size() + 10;
        if (index > 250) throw new IllegalStateException("too many hosts");
        String ns = "skv-" + PID + "-" + lab + "-" + host;
        String veth = "skv" + Long.toString(PID, 36) + Integer.toString(lab, 36) + "h" + Integer.toString(index, 36);
        String ip = subnet + "." + index;
        namespaces.put(host, ns);
        addresses.put(host, ip);
        Shell.run("ip", "netns", "add", ns);
        Shell.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Shell.run("ip", "link", "set", veth, "master", bridge, "up");
        Shell.run("ip", "netns", "exec", ns, "ip", "addr", "add", ip + "/24", "dev", "eth0");
        Shell.run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
        Shell.run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        return ip;
    }

    public String namespace(String host) {
        String ns = namespaces.get(host);
        if (ns == null) throw new IllegalArgumentException("no host " + host);
        return ns;
    }

    public String address(String host) {
        namespace(host);
        return addresses.get(host);
    }

    /**
     * Cuts every host of one group off from every host of each other group, both ways. Hosts in no
     * group keep talking to everyone, and the test JVM reaches every host. Replaces an earlier partition.
     */
    @SafeVarargs
    public final synchronized void partition(Collection<String>... groups) {
        heal();
        for (int i = 0; i < groups.length; i++) {
            for (int j = 0; j < groups.length; j++) {
                if (i == j) continue;
                for (String a : groups[i]) {
                    for (String b : groups[j]) {
                        drop(a, b);
                    }
                }
            }
        }
    }

    /** Cuts {@code host} off from every other host (not from the test JVM). */
    public synchronized void isolate(String host) {
        List<String> others = new ArrayList<>(namespaces.keySet());
        others.remove(host);
        partition(List.of(host), others);
    }

    private void drop(String from, String to) {
        String ns = namespace(from);
        String peer = address(to);
        Shell.run("ip", "netns", "exec", ns, "iptables", "-w", "-A", "OUTPUT", "-d", peer, "-j", "DROP");
        Shell.run("ip", "netns", "exec", ns, "iptables", "-w", "-A", "INPUT", "-s", peer, "-j", "DROP");
        withRules.add(from);
    }

    /** Removes every partition and every slow link. */
    public synchronized void heal() {
        for (String host : withRules) {
            String ns = namespaces.get(host);
            Shell.tryRun("ip", "netns", "exec", ns, "iptables", "-w", "-F", "INPUT");
            Shell.tryRun("ip", "netns", "exec", ns, "iptables", "-w", "-F", "OUTPUT");
        }
        withRules.clear();
        for (String host : slowed) {
            Shell.tryRun("ip", "netns", "exec", namespaces.get(host), "tc", "qdisc", "del", "dev", "eth0", "root");
        }
        slowed.clear();
    }

    /**
     * Delays every packet {@code host} sends by {@code delayMs} and drops {@code lossPct} percent of
     * them. Without netem in the kernel only loss is possible: a delay then throws.
     */
    public synchronized void slow(String host, int delayMs, int lossPct) {
        String ns = namespace(host);
        Shell.Result netem = Shell.tryRun("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", "eth0", "root",
                "netem", "delay", delayMs + "ms", "loss", lossPct + "%");
        if (netem.ok()) {
            slowed.add(host);
            return;
        }
        if (delayMs > 0) {
            throw new UnsupportedOperationException("tc netem is not available in this kernel (" + netem.output()
                    + "); only loss can be injected");
        }
        Shell.run("ip", "netns", "exec", ns, "iptables", "-w", "-A", "OUTPUT", "-m", "statistic", "--mode", "random",
                "--probability", Double.toString(lossPct / 100.0), "-j", "DROP");
        withRules.add(host);
    }

    /** Whether {@link #slow} can add delay here. */
    public boolean canDelay() {
        String probe = "skv-" + PID + "-0-netem";
        try {
            Shell.run("ip", "netns", "add", probe);
            return Shell.tryRun("ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
                    "delay", "1ms").ok();
        } finally {
            Shell.tryRun("ip", "netns", "del", probe);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (String ns : namespaces.values()) {
            removeNamespace(ns);
        }
        Shell.tryRun("ip", "link", "del", bridge);
    }

    private static void removeNamespace(String ns) {
        Shell.Result pids = Shell.tryRun("ip", "netns", "pids", ns);
        if (pids.ok()) {
            for (String pid : pids.output().split("\\s+")) {
                if (!pid.isBlank()) Shell.tryRun("kill", "-9", pid.strip());
            }
        }
        Shell.tryRun("ip", "netns", "del", ns);
    }

    /**
     * Removes namespaces and bridges left by test JVMs that no longer run (a crash, a SIGKILL that
     * skipped the shutdown hook), with every process still inside them.
     */
    public static void sweepStale() {
        Shell.Result list = Shell.tryRun("ip", "netns", "list");
        if (list.ok()) {
            for (String line : list.output().split("\n")) {
                Matcher m = NETNS.matcher(line.strip());
                if (m.find() && !alive(Long.parseLong(m.group(1)))) {
                    removeNamespace(line.strip().split("\\s+")[0]);
                }
            }
        }
        Shell.Result links = Shell.tryRun("ip", "-o", "link", "show", "type", "bridge");
        if (links.ok()) {
            for (String line : links.output().split("\n")) {
                String[] parts = line.split(":\\s+");
                if (parts.length < 2) continue;
                String name = parts[1].split("@")[0].strip();
                Matcher m = BRIDGE.matcher(name);
                if (m.matches() && !alive(Long.parseLong(m.group(1), 36))) {
                    Shell.tryRun("ip", "link", "del", name);
                }
            }
        }
    }

    private static boolean alive(long pid) {
        return pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String freeSubnet() {
        String used = Shell.tryRun("ip", "-4", "-o", "addr", "show").output();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            String s = "10." + (100 + r.nextInt(100)) + "." + r.nextInt(256);
            if (!used.contains(" " + s + ".")) return s;
        }
        throw new IllegalStateException("no free 10.x.y.0/24 subnet found");
    }
}

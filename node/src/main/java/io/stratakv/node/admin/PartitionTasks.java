package io.stratakv.node.admin;

import io.dropwizard.servlets.tasks.Task;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaManager;
import io.stratakv.storage.lsm.CheckpointInfo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Operator commands on one local partition replica, as Dropwizard admin tasks
 * ({@code POST /tasks/<name>?keyspace=kv&partition=0} on the admin port). Each answers one text
 * line starting {@code OK}. A refusal (missing or bad parameter, a partition this node does not
 * hold, a checkpoint directory outside the data directory) throws {@link Refused}: Dropwizard's
 * task servlet answers every exception with HTTP 500 and the message as the body, it has no way
 * for a task to choose a 4xx.
 */
public final class PartitionTasks {

    private PartitionTasks() {
    }

    /** A refused task; the message is the whole answer, so no stack trace is kept. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super("ERROR " + message, null, false, false);
        }
    }

    abstract static class PartitionTask extends Task {
        final ReplicaManager replicas;

        PartitionTask(String name, ReplicaManager replicas) {
            super(name);
            this.replicas = replicas;
        }

        @Override
        public final void execute(Map<String, List<String>> parameters, PrintWriter output) {
            String ks = single(parameters, "keyspace");
            String pidText = single(parameters, "partition");
            int pid;
            try {
                pid = Integer.parseInt(pidText);
            } catch (NumberFormatException e) {
                throw new Refused("partition must be a number, not '" + pidText + "'");
            }
            Replica r = replicas.replica(ks, pid).orElseThrow(() -> new Refused("this node holds no replica of partition "
                    + ks + "/" + pid));
            output.println(run(r, parameters));
            output.flush();
        }

        abstract String run(Replica r, Map<String, List<String>> parameters);
    }

    static String single(Map<String, List<String>> parameters, String name) {
        List<String> v = parameters.get(name);
        if (v == null || v.isEmpty() || v.getFirst().isBlank()) {
            throw new Refused("parameter '" + name + "' is required");
        }
        if (v.size() > 1) {
            throw new Refused("parameter '" + name + "' given " + v.size() + " times");
        }
        return v.getFirst();
    }

    /** {@code flush-partition}: memtables to SSTables, waits. */
    public static final class Flush extends PartitionTask {
        public Flush(ReplicaManager replicas) {
            super("flush-partition", replicas);
        }

        @Override
        String run(Replica r, Map<String, List<String>> parameters) {
            long t0 = System.nanoTime();
            r.flush();
            return "OK flushed " + r.keyspace() + "/" + r.partitionId() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms";
        }
    }

    /** {@code compact-partition}: compacts the whole tree, waits. */
    public static final class Compact extends PartitionTask {
        public Compact(ReplicaManager replicas) {
            super("compact-partition", replicas);
        }

        @Override
        String run(Replica r, Map<String, List<String>> parameters) {
            long t0 = System.nanoTime();
            r.compactAll();
            return "OK compacted " + r.keyspace() + "/" + r.partitionId() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms";
        }
    }

    /**
     * {@code checkpoint-partition}: a checkpoint of the tree (hard links, so on the data
     * directory's file system) into {@code dir}, relative to the data directory or absolute inside
     * it, not inside any partition's own directory, not existing yet. Without {@code dir}:
     * {@code <dataDir>/checkpoints/<ks>-<pid>-<epoch millis>}.
     */
    public static final class Checkpoint extends PartitionTask {
        public Checkpoint(ReplicaManager replicas) {
            super("checkpoint-partition", replicas);
        }

        @Override
        String run(Replica r, Map<String, List<String>> parameters) {
            Path dataDir = replicas.dataDir().toAbsolutePath().normalize();
            Path target;
            List<String> d = parameters.get("dir");
            if (d == null || d.isEmpty()) {
                target = dataDir.resolve("checkpoints")
                        .resolve(r.keyspace() + "-" + r.partitionId() + "-" + Instant.now().toEpochMilli());
            } else {
                target = checkTarget(dataDir, single(parameters, "dir"));
            }
            try {
                Files.createDirectories(target.getParent());
            } catch (IOException e) {
                throw new Refused("cannot create " + target.getParent() + ": " + e.getMessage());
            }
            CheckpointInfo info = r.checkpoint(target);
            return "OK checkpoint of " + r.keyspace() + "/" + r.partitionId() + " at " + info.dir() + ": applied log offset "
                    + info.appliedLogOffset() + ", " + info.files().size() + " tables, " + info.bytes() + " bytes";
        }

        private Path checkTarget(Path dataDir, String dir) {
            Path raw;
            try {
                raw = Path.of(dir);
            } catch (InvalidPathException e) {
                throw new Refused("dir '" + dir + "' is not a path: " + e.getMessage());
            }
            for (Path part : raw) {
                if (part.toString().equals("..")) {
                    throw new Refused("dir '" + dir + "' contains '..'");
                }
            }
            Path target = dataDir.resolve(raw).normalize();
            if (!target.startsWith(dataDir) || target.equals(dataDir)) {
                throw new Refused("dir '" + dir + "' is outside the data directory " + dataDir);
            }
            try { // symbolic links: the nearest existing ancestor must really be inside the data directory
                Path real = dataDir.toRealPath();
                Path existing = target;
                while (existing != null && !Files.exists(existing)) {
                    existing = existing.getParent();
                }
                if (existing == null || !existing.toRealPath().startsWith(real)) {
                    throw new Refused("dir '" + dir + "' leads outside the data directory " + dataDir);
                }
            } catch (IOException e) {
                throw new Refused("cannot check dir '" + dir + "': " + e.getMessage());
            }
            for (Replica other : replicas.replicas()) {
                if (target.startsWith(dataDir.resolve(other.keyspace()).resolve(Integer.toString(other.partitionId())))) {
                    throw new Refused("dir '" + dir + "' is inside the directory of partition " + other.keyspace() + "/"
                            + other.partitionId());
                }
            }
            if (Files.exists(target)) {
                throw new Refused("dir '" + dir + "' exists already");
            }
            return target;
        }
    }
}

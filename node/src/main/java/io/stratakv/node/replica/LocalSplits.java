package io.stratakv.node.replica;

import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.StoreSplitter;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.zk.hash.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * A node's partition directories during splits and deletions (node/README.md, "Splits"):
 * {@code <dataDir>/<ks>/<pid>} holds a partition's store.
 *
 * <h2>The local split, and why a crash anywhere in it is harmless</h2>
 * Once a replica has applied its partition's split entry at offset S its tree is frozen at S (the
 * store applies nothing after it), so the children can be built from it at any later time, again
 * and again, with the same result. For each child c, in order lower, upper:
 * <ol>
 *   <li>if {@code <ks>/<c>} exists, c is complete (it only ever appears by the rename below);</li>
 *   <li>else delete {@code <ks>/.split-<c>.tmp} (a crashed earlier attempt), build c's store in it
 *       ({@link StoreSplitter}), fsync, rename it to {@code <ks>/<c>} and fsync {@code <ks>}.</li>
 * </ol>
 * Last, the marker {@code <ks>/<parent>/split-done} is written (temp file, fsync, rename, fsync).
 * A restart that finds the parent's split applied but no marker simply runs this again. The
 * marker is what the node's status reports ({@code splitAt}) and what lets child replicas open.
 *
 * <p>Threads: called by the replica manager under its monitor, one split at a time.
 */
final class LocalSplits {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSplits.class);
    static final String DONE_MARKER = "split-done";

    private final Path dataDir;
    private final StoreOptions options;

    LocalSplits(Path dataDir, StoreOptions options) {
        this.dataDir = dataDir;
        this.options = options;
    }

    Path dir(String ks, int pid) {
        return dataDir.resolve(ks).resolve(Integer.toString(pid));
    }

    boolean done(String ks, int pid) {
        return Files.exists(dir(ks, pid).resolve(DONE_MARKER));
    }

    /** Builds both children of parent (which has applied its split) unless already done; idempotent. */
    void build(String ks, int parentId, PartitionStore parent) {
        PartitionStore.AppliedSplit s = parent.appliedSplit();
        if (s == null) {
            throw new IllegalStateException("partition " + ks + "/" + parentId + " has not applied a split");
        }
        if (done(ks, parentId)) {
            return;
        }
        long started = System.nanoTime();
        parent.flush(); // the frozen state (with its split marker) in tables: a restart knows it split without the log
        Path ksDir = dataDir.resolve(ks);
        int[] children = {s.entry().lowerPartitionId(), s.entry().upperPartitionId()};
        StringBuilder stats = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            int child = children[i];
            Path target = dir(ks, child);
            if (Files.exists(target)) {
                stats.append(" child ").append(child).append(" already built;");
                continue;
            }
            Path tmp = ksDir.resolve(".split-" + child + ".tmp");
            try {
                deleteRecursively(tmp);
                StoreSplitter.ChildStats cs = StoreSplitter.buildChild(RealFs.INSTANCE, parent, i == 0, tmp, options,
                        KeyHash::hash);
                syncDir(tmp);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                syncDir(ksDir);
                stats.append(" child ").append(child).append(": ").append(cs.userKeys()).append(" keys, ")
                        .append(cs.requestIds()).append(" request ids;");
            } catch (IOException e) {
                throw new UncheckedIOException("building split child " + ks + "/" + child + " of partition " + parentId, e);
            }
        }
        Path marker = dir(ks, parentId).resolve(DONE_MARKER);
        Path markerTmp = marker.resolveSibling(DONE_MARKER + ".tmp");
        try {
            Files.write(markerTmp, (s.offset() + " " + children[0] + " " + children[1] + "\n").getBytes(StandardCharsets.UTF_8));
            try (FileChannel c = FileChannel.open(markerTmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(markerTmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDir(marker.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + marker, e);
        }
        LOG.info("partition {}/{} split locally at offset {} (epoch {}) in {} ms:{}", ks, parentId, s.offset(), s.epoch(),
                (System.nanoTime() - started) / 1_000_000, stats);
    }

    /** Deletes a partition's directory (the store must be closed), and the keyspace's if that leaves it empty. */
    void delete(String ks, int pid) {
        Path d = dir(ks, pid);
        try {
            if (Files.exists(d)) {
                deleteRecursively(d);
                syncDir(d.getParent());
                LOG.info("deleted the files of partition {}/{} ({})", ks, pid, d);
            }
            Path ksDir = dataDir.resolve(ks);
            if (Files.isDirectory(ksDir)) {
                try (Stream<Path> left = Files.list(ksDir)) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(ksDir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + d, e);
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void syncDir(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }
}

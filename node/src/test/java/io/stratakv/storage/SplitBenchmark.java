package io.stratakv.storage;

import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.log.FsyncPolicy;
import io.stratakv.zk.hash.KeyHash;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Not a test (surefire does not run it): how long building the two children of a split takes
 * ({@link StoreSplitter}, a rewrite of the parent's live data), on the real file system. Run after
 * test-compile with the test class path (see node/README.md, "Splits"):
 *
 * <pre>
 *   java -cp "$(cat /tmp/node.cp):node/target/classes:node/target/test-classes" io.stratakv.storage.SplitBenchmark [keys] [valueBytes] [dir]
 * </pre>
 */
public final class SplitBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int valueBytes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path root = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("split-bench");
        StoreOptions opts = StoreOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER);
        Random rnd = new Random(1);
        byte[] value = new byte[valueBytes];
        try (PartitionStore p = PartitionStore.open(RealFs.INSTANCE, root.resolve("0"), opts, null, null, false)) {
            p.setEpoch(1);
            p.commitTo(p.appendEpochStart() + 1);
            for (int i = 0; i < n; i++) {
                rnd.nextBytes(value);
                Mutation m = Mutation.put(("user-" + i).getBytes(), value);
                // The last 50,000 writes carry request ids (within the retention at the split).
                p.append(i >= n - 50_000 ? m.withRequestId(("r" + i).getBytes()) : m);
                if (i % 10_000 == 9_999) {
                    p.commitTo(p.log().endOffset());
                }
            }
            p.appendSplit(new SplitEntry(1, 2, 0, Long.MAX_VALUE, -1L, 0));
            p.commitTo(p.log().endOffset());
            p.flush();
            p.awaitCompactions();
            long live = p.tree().liveTableBytes();
            long userKeys = 0;
            try (VersionedScan sc = p.scan(null, null)) {
                while (sc.next()) {
                    userKeys++;
                }
            }
            System.out.printf("parent holds %,d user keys and %,d request ids; split applied at %d%n", userKeys,
                    p.requestIdCount(), p.appliedSplit().offset());
            long t0 = System.nanoTime();
            p.flush();
            StoreSplitter.ChildStats a = StoreSplitter.buildChild(RealFs.INSTANCE, p, true, root.resolve("1"), opts, KeyHash::hash);
            StoreSplitter.ChildStats b = StoreSplitter.buildChild(RealFs.INSTANCE, p, false, root.resolve("2"), opts, KeyHash::hash);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("parent: %,d keys x %d B values, %,d B live tables; children built in %,d ms "
                            + "(%,d + %,d keys, %,d request ids each): %.1f MB/s of live tables%n",
                    n, valueBytes, live, ms, a.userKeys(), b.userKeys(), a.requestIds(), live / 1e6 / (ms / 1e3));
        }
    }
}

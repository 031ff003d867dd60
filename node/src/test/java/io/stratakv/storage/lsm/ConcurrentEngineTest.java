package io.stratakv.storage.lsm;

import io.stratakv.storage.KvIterator;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers, point readers, snapshot scanners, flushes and compactions at the same time. The model
 * allows only: (1) a point read of a key returns a version at least as new as the last one the
 * writer had finished before the read began, and never one from the future; (2) a scan sees a
 * consistent cut: each batch writes the same version to a key's two halves, so a scan that sees the
 * halves differ saw a torn state.
 */
class ConcurrentEngineTest {

    private static final int WRITERS = 2;
    private static final int KEYS_PER_WRITER = 50;
    private static final int ROUNDS = 120;

    @Test
    void readersSeeOnlyStatesTheModelAllows(@TempDir Path dir) throws Exception {
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        try (LsmTree tree = LsmTree.open(RealFs.INSTANCE, dir, opts)) {
            AtomicLongArray finished = new AtomicLongArray(WRITERS * KEYS_PER_WRITER);
            AtomicLongArray started = new AtomicLongArray(WRITERS * KEYS_PER_WRITER);
            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                final int writer = w;
                threads.add(new Thread(() -> {
                    await(go);
                    for (int round = 1; round <= ROUNDS; round++) {
                        for (int i = 0; i < KEYS_PER_WRITER; i++) {
                            int key = writer * KEYS_PER_WRITER + i;
                            started.set(key, round);
                            String v = String.format("%06d", round);
                            tree.apply(new WriteBatch().put(b("a" + key), b(v)).put(b("b" + key), b(v)), -1);
                            finished.set(key, round);
                        }
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                threads.add(new Thread(() -> {
                    await(go);
                    java.util.Random rnd = new java.util.Random();
                    while (!done.get()) {
                        int key = rnd.nextInt(WRITERS * KEYS_PER_WRITER);
                        long min = finished.get(key);
                        String got = s(tree.get(b("a" + key)));
                        long max = started.get(key);
                        long seen = got == null ? 0 : Long.parseLong(got);
                        if (seen < min || seen > max) {
                            violations.add("key a" + key + " read " + seen + " outside [" + min + ", " + max + "]");
                        }
                    }
                }));
            }
            threads.add(new Thread(() -> {
                await(go);
                while (!done.get()) {
                    try (KvIterator it = tree.scan(null, null)) {
                        java.util.Map<String, String> as = new java.util.HashMap<>();
                        java.util.Map<String, String> bs = new java.util.HashMap<>();
                        while (it.next()) {
                            String k = s(it.key());
                            (k.startsWith("a") ? as : bs).put(k.substring(1), s(it.value()));
                        }
                        if (!as.equals(bs)) {
                            violations.add("scan saw a torn batch: " + diff(as, bs));
                        }
                    }
                }
            }));
            threads.add(new Thread(() -> {
                await(go);
                while (!done.get()) {
                    tree.flush();
                    tree.compactLevel(0);
                }
            }));
            threads.forEach(Thread::start);
            go.countDown();
            for (int w = 0; w < WRITERS; w++) {
                threads.get(w).join();
            }
            done.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(violations).isEmpty();
            for (int key = 0; key < WRITERS * KEYS_PER_WRITER; key++) {
                assertThat(s(tree.get(b("a" + key)))).isEqualTo(String.format("%06d", ROUNDS));
            }
            assertThat(tree.backgroundError()).isNull();
        }
    }

    private static String diff(java.util.Map<String, String> a, java.util.Map<String, String> b) {
        for (var e : a.entrySet()) {
            if (!e.getValue().equals(b.get(e.getKey()))) {
                return e.getKey() + ": a=" + e.getValue() + " b=" + b.get(e.getKey());
            }
        }
        return "key sets differ";
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

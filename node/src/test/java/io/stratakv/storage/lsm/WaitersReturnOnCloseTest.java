package io.stratakv.storage.lsm;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.stratakv.storage.TestStores.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** flush() and awaitCompactions() must not wait forever for background work a close has cancelled. */
class WaitersReturnOnCloseTest {

    private static final Path DIR = Path.of("/db");

    /** Blocks the first table creation by a thread whose name starts with prefix until released. */
    private static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        void install(HookFs fs, String threadPrefix) {
            fs.beforeCreate = p -> {
                if (p.toString().endsWith(".sst") && Thread.currentThread().getName().startsWith(threadPrefix)
                        && entered.getCount() > 0) {
                    entered.countDown();
                    await(release);
                }
            };
        }
    }

    private static void await(CountDownLatch l) {
        try {
            assertThat(l.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitClosed(LsmTree tree) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                tree.get(b("probe"));
            } catch (StorageException e) {
                if (e.code() == StorageErrorCode.CLOSED) {
                    return;
                }
                throw e;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("tree never closed");
    }

    @Test
    void flushWaitingForAMemtableReturnsWhenTheTreeIsClosed() throws Exception {
        HookFs fs = new HookFs(new CrashSimulatingFs());
        Gate gate = new Gate();
        gate.install(fs, "lsm-flush");
        LsmTree tree = LsmTree.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER));
        tree.put(b("a"), b("1"), -1);
        Thread first = new Thread(tree::flush);
        first.start();
        await(gate.entered); // the flush thread is writing the first memtable
        tree.put(b("b"), b("2"), -1);
        AtomicReference<Throwable> secondOutcome = new AtomicReference<>();
        Thread second = new Thread(() -> {
            try {
                tree.flush();
            } catch (Throwable t) {
                secondOutcome.set(t);
            }
        });
        second.start();
        // Timed waiting happens only in flush()'s wait loop, after it switched its memtable.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (second.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
        Thread closer = new Thread(tree::close);
        closer.start();
        awaitClosed(tree);
        gate.release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        first.join(TimeUnit.SECONDS.toMillis(30));
        second.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(second.isAlive()).as("flush() still waiting after close").isFalse();
        assertThat(secondOutcome.get()).isInstanceOf(StorageException.class);
        assertThat(((StorageException) secondOutcome.get()).code()).isEqualTo(StorageErrorCode.CLOSED);
    }

    @Test
    void awaitCompactionsReturnsWhenTheTreeIsClosed() throws Exception {
        HookFs fs = new HookFs(new CrashSimulatingFs());
        Gate gate = new Gate();
        gate.install(fs, "lsm-compaction");
        LsmTree tree = LsmTree.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER));
        for (int i = 0; i < 2; i++) {
            tree.put(b("k" + i), b("v"), -1);
            tree.flush();
        }
        await(gate.entered); // an L0 compaction of both tables is running, held
        for (int i = 2; i < 4; i++) {
            tree.put(b("k" + i), b("v"), -1);
            tree.flush(); // two more L0 tables: another compaction will be needed
        }
        Thread closer = new Thread(tree::close);
        closer.start();
        awaitClosed(tree);
        gate.release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closer.isAlive()).isFalse();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThatThrownBy(tree::awaitCompactions).isInstanceOf(StorageException.class)
                        .extracting(e -> ((StorageException) e).code()).isEqualTo(StorageErrorCode.CLOSED));
    }
}

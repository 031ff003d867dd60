package io.stratakv.storage.log;

import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test wrapper around a StorageFs (usually CrashSimulatingFs) that counts what the log does and
 * injects what CrashSimulatingFs cannot: held fsyncs (to make group commit deterministic), failing
 * writes and truncates, and "the machine dies at the k-th mutating operation".
 */
final class InstrumentedFs implements StorageFs {

    final StorageFs inner;
    final AtomicLong appendCalls = new AtomicLong();
    final AtomicLong fileSyncs = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();

    private volatile CountDownLatch syncGate;
    final AtomicInteger syncsWaitingAtGate = new AtomicInteger();
    volatile Thread lastThreadAtGate;
    volatile boolean failWrites;
    volatile boolean failTruncates;
    /** When ≥ 0: the mutating operation that brings it to 0 (and every later one) throws. */
    private final AtomicInteger opsBeforeCrash = new AtomicInteger(-1);
    volatile boolean crashPointHit;

    InstrumentedFs(StorageFs inner) {
        this.inner = inner;
    }

    /** File syncs block until openSyncGate(). */
    void closeSyncGate() {
        syncGate = new CountDownLatch(1);
    }

    void openSyncGate() {
        CountDownLatch g = syncGate;
        syncGate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** The k-th mutating operation from now (1-based) and all after it fail, as if the machine died there. */
    void crashAtMutation(int k) {
        opsBeforeCrash.set(k);
        crashPointHit = false;
    }

    void noCrashPoint() {
        opsBeforeCrash.set(-1);
        crashPointHit = false;
    }

    private void mutation(String what) throws IOException {
        if (opsBeforeCrash.get() < 0) {
            return;
        }
        if (crashPointHit || opsBeforeCrash.decrementAndGet() <= 0) {
            crashPointHit = true;
            throw new IOException("injected crash point before " + what);
        }
    }

    @Override
    public WritableFile create(Path file) throws IOException {
        mutation("create " + file);
        return new W(inner.create(file));
    }

    @Override
    public WritableFile openAppend(Path file) throws IOException {
        return new W(inner.openAppend(file));
    }

    @Override
    public ReadableFile openRead(Path file) throws IOException {
        return new R(inner.openRead(file));
    }

    @Override
    public boolean exists(Path path) {
        return inner.exists(path);
    }

    @Override
    public long size(Path file) throws IOException {
        return inner.size(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        inner.createDirectories(dir);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return inner.list(dir);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        mutation("rename " + from);
        inner.rename(from, to);
    }

    @Override
    public void link(Path existing, Path newLink) throws IOException {
        mutation("link " + newLink);
        inner.link(existing, newLink);
    }

    @Override
    public void delete(Path file) throws IOException {
        mutation("delete " + file);
        inner.delete(file);
    }

    @Override
    public void syncDir(Path dir) throws IOException {
        mutation("syncDir " + dir);
        inner.syncDir(dir);
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        return inner.usableSpace(path);
    }

    private final class W implements WritableFile {
        private final WritableFile w;

        W(WritableFile w) {
            this.w = w;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            mutation("append");
            appendCalls.incrementAndGet();
            if (failWrites) {
                throw new IOException("injected write error (EIO)");
            }
            w.append(src);
        }

        @Override
        public void sync() throws IOException {
            CountDownLatch g = syncGate;
            if (g != null) {
                lastThreadAtGate = Thread.currentThread();
                syncsWaitingAtGate.incrementAndGet();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted at the sync gate");
                } finally {
                    syncsWaitingAtGate.decrementAndGet();
                }
            }
            mutation("sync");
            fileSyncs.incrementAndGet();
            w.sync();
        }

        @Override
        public long size() throws IOException {
            return w.size();
        }

        @Override
        public void truncate(long length) throws IOException {
            mutation("truncate");
            if (failTruncates) {
                throw new IOException("injected truncate failure");
            }
            w.truncate(length);
        }

        @Override
        public void close() throws IOException {
            w.close();
        }
    }

    private final class R implements ReadableFile {
        private final ReadableFile r;

        R(ReadableFile r) {
            this.r = r;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int n = r.read(dst, position);
            if (n > 0) {
                bytesRead.addAndGet(n);
            }
            return n;
        }

        @Override
        public long size() throws IOException {
            return r.size();
        }

        @Override
        public void close() throws IOException {
            r.close();
        }
    }
}

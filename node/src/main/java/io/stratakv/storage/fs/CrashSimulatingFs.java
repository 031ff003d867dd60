package io.stratakv.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An in-memory {@link StorageFs} that behaves like a disk after power loss: it keeps, for every file,
 * the bytes written and the bytes made durable by sync, and for every directory, the entries
 * written and the entries made durable by syncDir. {@link #crash()} throws away everything that
 * was not made durable; {@link #crash(Random)} instead keeps a random prefix of each file's unsynced
 * tail (a torn write), optionally followed by zeros (a file extended by the file system whose data
 * never arrived).
 *
 * <p>It also injects faults: a byte budget (disk full, with a partial write as on ENOSPC), failing
 * fsyncs, and failing reads of chosen files.
 *
 * <p>Thread-safety: every operation locks the whole file system. It is a test tool, not fast.
 */
public final class CrashSimulatingFs implements StorageFs {

    private static final class Inode {
        byte[] data = new byte[0];
        int length;
        byte[] durable = new byte[0];

        void ensure(int cap) {
            if (cap > data.length) {
                data = Arrays.copyOf(data, Math.max(cap, data.length * 2 + 64));
            }
        }
    }

    private static final class Dir {
        final TreeMap<String, Object> entries = new TreeMap<>();
        TreeMap<String, Object> durable = new TreeMap<>();
    }

    private final Map<Path, Dir> dirs = new HashMap<>();
    private long generation;
    private long capacityBytes = Long.MAX_VALUE;
    private boolean failSyncs;
    private Predicate<Path> failReads = p -> false;
    private long syncCount;
    private long opsUntilDeath = Long.MAX_VALUE;
    private boolean dead;

    public CrashSimulatingFs() {
        Dir root = new Dir();
        dirs.put(Path.of("/"), root);
    }

    private static Path norm(Path p) {
        return p.toAbsolutePath().normalize();
    }

    // ---------------------------------------------------------------- fault injection

    /** Total bytes all files may hold; appends past it write what fits, then fail like ENOSPC. */
    public synchronized void setCapacityBytes(long capacity) {
        this.capacityBytes = capacity;
    }

    public synchronized long usedBytes() {
        long used = 0;
        for (Inode inode : allInodes()) {
            used += inode.length;
        }
        return used;
    }

    /** While true, every sync (file or directory) throws. */
    public synchronized void setFailSyncs(boolean fail) {
        this.failSyncs = fail;
    }

    /** Reads of files matching the predicate throw. */
    public synchronized void setFailReads(Predicate<Path> predicate) {
        this.failReads = predicate;
    }

    /**
     * After ops more mutating operations (create, append, sync, rename, link, delete, syncDir,
     * truncate) every operation fails, as if the process had died at that point. {@link #crash()}
     * then brings the file system back as a restart would find it.
     */
    public synchronized void dieAfterOps(long ops) {
        this.opsUntilDeath = ops;
    }

    public synchronized boolean isDead() {
        return dead;
    }

    private void step() throws IOException {
        if (dead) {
            throw new IOException("simulated process death: file system unavailable");
        }
        if (opsUntilDeath != Long.MAX_VALUE && --opsUntilDeath < 0) {
            dead = true;
            throw new IOException("simulated process death: file system unavailable");
        }
    }

    public synchronized long syncCount() {
        return syncCount;
    }

    /** Power loss: every byte and directory entry not made durable is gone; open handles die. */
    public synchronized void crash() {
        crash(null);
    }

    /**
     * Power loss with torn writes: with rnd, each file keeps a random prefix of its unsynced appended
     * tail, sometimes followed by zeros. Directory entries revert to their durable state.
     */
    public synchronized void crash(Random rnd) {
        generation++;
        dead = false;
        opsUntilDeath = Long.MAX_VALUE;
        for (Dir d : dirs.values()) {
            d.entries.clear();
            d.entries.putAll(d.durable);
        }
        for (Inode inode : allInodes()) {
            byte[] kept = inode.durable;
            boolean appendOnly = inode.length >= kept.length
                    && Arrays.equals(inode.data, 0, kept.length, kept, 0, kept.length);
            if (rnd != null && appendOnly && inode.length > kept.length) {
                int extra = rnd.nextInt(inode.length - kept.length + 1);
                int zeros = rnd.nextInt(4) == 0 ? rnd.nextInt(64) : 0;
                byte[] torn = Arrays.copyOf(inode.data, kept.length + extra + zeros);
                Arrays.fill(torn, kept.length + extra, torn.length, (byte) 0);
                kept = torn;
            }
            inode.data = kept.clone();
            inode.length = kept.length;
            inode.durable = kept.clone();
        }
    }

    private List<Inode> allInodes() {
        List<Inode> out = new ArrayList<>();
        java.util.IdentityHashMap<Inode, Boolean> seen = new java.util.IdentityHashMap<>();
        for (Dir d : dirs.values()) {
            for (Object o : d.entries.values()) {
                if (o instanceof Inode i && seen.put(i, Boolean.TRUE) == null) {
                    out.add(i);
                }
            }
            for (Object o : d.durable.values()) {
                if (o instanceof Inode i && seen.put(i, Boolean.TRUE) == null) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- StorageFs

    private Dir parentDir(Path p) throws IOException {
        Path parent = p.getParent();
        Dir d = parent == null ? null : dirs.get(parent);
        if (d == null) {
            throw new NoSuchFileException(String.valueOf(parent), null, "no such directory");
        }
        return d;
    }

    private Inode inode(Path p) throws IOException {
        Object o = parentDir(p).entries.get(p.getFileName().toString());
        if (!(o instanceof Inode i)) {
            throw new NoSuchFileException(p.toString());
        }
        return i;
    }

    @Override
    public synchronized WritableFile create(Path file) throws IOException {
        step();
        Path p = norm(file);
        Dir d = parentDir(p);
        Inode inode = new Inode();
        d.entries.put(p.getFileName().toString(), inode);
        return new MemWritable(p, inode, generation);
    }

    @Override
    public synchronized WritableFile openAppend(Path file) throws IOException {
        Path p = norm(file);
        return new MemWritable(p, inode(p), generation);
    }

    @Override
    public synchronized ReadableFile openRead(Path file) throws IOException {
        Path p = norm(file);
        Inode inode = inode(p);
        if (failReads.test(p)) {
            throw new IOException("injected read error opening " + p);
        }
        return new MemReadable(p, inode, generation);
    }

    @Override
    public synchronized boolean exists(Path path) {
        Path p = norm(path);
        if (dirs.containsKey(p)) {
            return true;
        }
        Dir d = p.getParent() == null ? null : dirs.get(p.getParent());
        return d != null && d.entries.containsKey(p.getFileName().toString());
    }

    @Override
    public synchronized long size(Path file) throws IOException {
        return inode(norm(file)).length;
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        Path p = norm(dir);
        List<Path> missing = new ArrayList<>();
        for (Path q = p; q != null && !dirs.containsKey(q); q = q.getParent()) {
            missing.add(q);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            Path q = missing.get(i);
            Dir parent = dirs.get(q.getParent());
            if (parent.entries.get(q.getFileName().toString()) instanceof Inode) {
                throw new FileAlreadyExistsException(q.toString(), null, "a file of that name exists");
            }
            Dir nd = new Dir();
            dirs.put(q, nd);
            // Directory creation is made durable at once, as RealFs syncs the parents.
            parent.entries.put(q.getFileName().toString(), nd);
            parent.durable.put(q.getFileName().toString(), nd);
        }
    }

    @Override
    public synchronized List<String> list(Path dir) throws IOException {
        Dir d = dirs.get(norm(dir));
        if (d == null) {
            throw new NoSuchFileException(dir.toString());
        }
        return new ArrayList<>(d.entries.keySet());
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        step();
        Path f = norm(from);
        Path t = norm(to);
        Dir fd = parentDir(f);
        Object o = fd.entries.get(f.getFileName().toString());
        if (!(o instanceof Inode)) {
            throw new NoSuchFileException(f.toString());
        }
        Dir td = parentDir(t);
        fd.entries.remove(f.getFileName().toString());
        td.entries.put(t.getFileName().toString(), o);
    }

    @Override
    public synchronized void link(Path existing, Path newLink) throws IOException {
        step();
        Path e = norm(existing);
        Path n = norm(newLink);
        Inode inode = inode(e);
        Dir nd = parentDir(n);
        if (nd.entries.containsKey(n.getFileName().toString())) {
            throw new FileAlreadyExistsException(n.toString());
        }
        nd.entries.put(n.getFileName().toString(), inode);
    }

    @Override
    public synchronized void delete(Path file) throws IOException {
        step();
        Path p = norm(file);
        Dir d = dirs.get(p.getParent());
        if (d != null && d.entries.get(p.getFileName().toString()) instanceof Inode) {
            d.entries.remove(p.getFileName().toString());
        }
    }

    @Override
    public synchronized void syncDir(Path dir) throws IOException {
        Path p = norm(dir);
        Dir d = dirs.get(p);
        if (d == null) {
            throw new NoSuchFileException(p.toString());
        }
        step();
        if (failSyncs) {
            throw new IOException("injected fsync failure on directory " + p);
        }
        syncCount++;
        d.durable = new TreeMap<>(d.entries);
    }

    @Override
    public synchronized long usableSpace(Path path) {
        return capacityBytes == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, capacityBytes - usedBytes());
    }

    private void checkAlive(long gen, Path p) throws IOException {
        if (gen != generation) {
            throw new IOException("file handle from before a simulated crash: " + p);
        }
    }

    private final class MemWritable implements WritableFile {
        private final Path path;
        private final Inode inode;
        private final long gen;
        private boolean closed;

        MemWritable(Path path, Inode inode, long gen) {
            this.path = path;
            this.inode = inode;
            this.gen = gen;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            synchronized (CrashSimulatingFs.this) {
                check();
                step();
                int n = src.remaining();
                long free = capacityBytes == Long.MAX_VALUE ? Long.MAX_VALUE : capacityBytes - usedBytes();
                int fits = (int) Math.max(0, Math.min(n, free));
                inode.ensure(inode.length + fits);
                src.get(inode.data, inode.length, fits);
                inode.length += fits;
                if (fits < n) {
                    throw new IOException("No space left on device (simulated) writing " + path);
                }
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (CrashSimulatingFs.this) {
                check();
                step();
                if (failSyncs) {
                    throw new IOException("injected fsync failure on " + path);
                }
                syncCount++;
                inode.durable = Arrays.copyOf(inode.data, inode.length);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (CrashSimulatingFs.this) {
                check();
                return inode.length;
            }
        }

        @Override
        public void truncate(long length) throws IOException {
            synchronized (CrashSimulatingFs.this) {
                check();
                step();
                if (length > inode.length) {
                    throw new IOException("truncate beyond end: " + length + " > " + inode.length);
                }
                inode.length = (int) length;
            }
        }

        private void check() throws IOException {
            if (closed) {
                throw new IOException("closed: " + path);
            }
            checkAlive(gen, path);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final class MemReadable implements ReadableFile {
        private final Path path;
        private final Inode inode;
        private final long gen;

        MemReadable(Path path, Inode inode, long gen) {
            this.path = path;
            this.inode = inode;
            this.gen = gen;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (CrashSimulatingFs.this) {
                checkAlive(gen, path);
                if (dead) {
                    throw new IOException("simulated process death: file system unavailable");
                }
                if (failReads.test(path)) {
                    throw new IOException("injected read error on " + path + " at " + position);
                }
                if (position >= inode.length) {
                    return dst.hasRemaining() ? -1 : 0;
                }
                int n = (int) Math.min(dst.remaining(), inode.length - position);
                dst.put(inode.data, (int) position, n);
                return n;
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (CrashSimulatingFs.this) {
                checkAlive(gen, path);
                return inode.length;
            }
        }

        @Override
        public void close() {
        }
    }

    /** For error messages in tests. */
    @Override
    public synchronized String toString() {
        return "CrashSimulatingFs" + dirs.keySet();
    }

}

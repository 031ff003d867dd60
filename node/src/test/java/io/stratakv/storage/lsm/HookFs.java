package io.stratakv.storage.lsm;

import io.stratakv.storage.fs.ReadableFile;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Delegating StorageFs for LSM tests: a hook on file creation, and fsync failures for chosen files. */
final class HookFs implements StorageFs {

    private final StorageFs inner;
    volatile Consumer<Path> beforeCreate = p -> { };
    volatile Predicate<Path> failSyncOf = p -> false;

    HookFs(StorageFs inner) {
        this.inner = inner;
    }

    @Override
    public WritableFile create(Path file) throws IOException {
        beforeCreate.accept(file);
        return wrap(file, inner.create(file));
    }

    @Override
    public WritableFile openAppend(Path file) throws IOException {
        return wrap(file, inner.openAppend(file));
    }

    private WritableFile wrap(Path file, WritableFile w) {
        return new WritableFile() {
            @Override
            public void append(ByteBuffer src) throws IOException {
                w.append(src);
            }

            @Override
            public void sync() throws IOException {
                if (failSyncOf.test(file)) {
                    throw new IOException("injected fsync failure on " + file);
                }
                w.sync();
            }

            @Override
            public long size() throws IOException {
                return w.size();
            }

            @Override
            public void truncate(long length) throws IOException {
                w.truncate(length);
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }

    @Override
    public ReadableFile openRead(Path file) throws IOException {
        return inner.openRead(file);
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
        inner.rename(from, to);
    }

    @Override
    public void link(Path existing, Path newLink) throws IOException {
        inner.link(existing, newLink);
    }

    @Override
    public void delete(Path file) throws IOException {
        inner.delete(file);
    }

    @Override
    public void syncDir(Path dir) throws IOException {
        inner.syncDir(dir);
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        return inner.usableSpace(path);
    }
}

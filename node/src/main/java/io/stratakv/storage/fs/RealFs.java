package io.stratakv.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link StorageFs} on the operating system's file system through NIO channels. */
public final class RealFs implements StorageFs {

    public static final RealFs INSTANCE = new RealFs();

    private RealFs() {
    }

    @Override
    public WritableFile create(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ);
        return new ChannelWritable(ch, 0);
    }

    @Override
    public WritableFile openAppend(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        return new ChannelWritable(ch, ch.size());
    }

    @Override
    public ReadableFile openRead(Path file) throws IOException {
        return new ChannelReadable(FileChannel.open(file, StandardOpenOption.READ));
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public long size(Path file) throws IOException {
        return Files.size(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        List<Path> created = new ArrayList<>();
        for (Path p = abs; p != null && !Files.exists(p); p = p.getParent()) {
            created.add(p);
        }
        Files.createDirectories(abs);
        for (Path p : created) {
            if (p.getParent() != null) {
                syncDir(p.getParent());
            }
        }
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("file system cannot rename atomically: " + from + " -> " + to, e);
        }
    }

    @Override
    public void link(Path existing, Path newLink) throws IOException {
        Files.createLink(newLink, existing);
    }

    @Override
    public void delete(Path file) throws IOException {
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    @Override
    public void syncDir(Path dir) throws IOException {
        // On Linux a directory opened read-only can be fsynced; this makes creates, renames and
        // deletes in it durable (leveldb #189, rocksdb #10573).
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        return Files.getFileStore(path).getUsableSpace();
    }

    private static final class ChannelWritable implements WritableFile {
        private final FileChannel ch;
        private long position;

        ChannelWritable(FileChannel ch, long position) {
            this.ch = ch;
            this.position = position;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                position += ch.write(src, position);
            }
        }

        @Override
        public void sync() throws IOException {
            ch.force(false);
        }

        @Override
        public long size() {
            return position;
        }

        @Override
        public void truncate(long length) throws IOException {
            ch.truncate(length);
            position = length;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private static final class ChannelReadable implements ReadableFile {
        private final FileChannel ch;

        ChannelReadable(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}

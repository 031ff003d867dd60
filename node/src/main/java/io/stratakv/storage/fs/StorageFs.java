package io.stratakv.storage.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations the storage engine needs, and nothing more.
 *
 * <p>Why an interface: the engine's crash-safety claims ("after a crash we lose nothing that was
 * fsynced, and we always reopen") can only be tested against a file layer that really forgets
 * what was not synced. {@link RealFs} goes to the operating system; the tests use
 * {@code CrashSimulatingFs}, which keeps separate "written" and "durable" images of every file and
 * every directory and drops the unsynced ones on {@code crash()}.
 *
 * <p>Durability contract, as on POSIX: file contents are durable after {@link WritableFile#sync()};
 * a directory entry (create, rename, link, delete) is durable only after {@link #syncDir(Path)} on
 * its parent directory.
 */
public interface StorageFs {

    /** Creates (or replaces) a file, positioned at 0, for appending. */
    WritableFile create(Path file) throws IOException;

    /** Opens an existing file for appending at its current end. */
    WritableFile openAppend(Path file) throws IOException;

    /** Opens an existing file for positional reads. */
    ReadableFile openRead(Path file) throws IOException;

    boolean exists(Path path);

    long size(Path file) throws IOException;

    /** Creates the directory and any missing parents, and makes their entries durable. */
    void createDirectories(Path dir) throws IOException;

    /** File names (not paths) directly inside dir, sorted. */
    List<String> list(Path dir) throws IOException;

    /** Atomic rename that replaces the target; durable only after syncDir of the parent. */
    void rename(Path from, Path to) throws IOException;

    /** Hard link: the new name shares the same contents. */
    void link(Path existing, Path newLink) throws IOException;

    /** Deletes a file if present; durable only after syncDir of the parent. */
    void delete(Path file) throws IOException;

    /** Makes the directory's entries durable. */
    void syncDir(Path dir) throws IOException;

    /** Bytes still free on the device holding path, or Long.MAX_VALUE if unknown. */
    long usableSpace(Path path) throws IOException;

    /** Writes a whole small file atomically: temp file, fsync, rename, fsync directory. */
    default void writeAtomically(Path file, byte[] contents) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (WritableFile out = create(tmp)) {
            out.append(java.nio.ByteBuffer.wrap(contents));
            out.sync();
        }
        rename(tmp, file);
        syncDir(file.getParent());
    }

    /** Reads a whole (small) file. */
    default byte[] readAll(Path file) throws IOException {
        try (ReadableFile in = openRead(file)) {
            long size = in.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new IOException("file too large to read whole: " + file + " (" + size + " bytes)");
            }
            byte[] out = new byte[(int) size];
            in.readFully(java.nio.ByteBuffer.wrap(out), 0);
            return out;
        }
    }
}

package io.stratakv.storage.lsm;

import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;
import io.stratakv.storage.sstable.TableBuilder;
import io.stratakv.storage.sstable.TableOptions;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one new SSTable: add entries in order, then {@link #finish()} makes the file durable
 * (file fsync and directory fsync) before its {@link FileMeta} is handed out for the manifest.
 * {@link #abandon()} deletes a partial file after a failure.
 */
final class TableWriter {

    private final StorageFs fs;
    private final Path path;
    private final long number;
    private final WritableFile out;
    private final TableBuilder builder;
    private byte[] smallest;
    private byte[] largest;

    TableWriter(StorageFs fs, TableCache tables, long number, TableOptions options) {
        this.fs = fs;
        this.number = number;
        this.path = tables.path(number);
        try {
            this.out = fs.create(path);
        } catch (IOException e) {
            throw StorageException.io("creating table " + path, e);
        }
        this.builder = new TableBuilder(out, path.toString(), options);
    }

    void add(byte[] internalKey, byte[] value) {
        if (smallest == null) {
            smallest = internalKey;
        }
        largest = internalKey;
        builder.add(internalKey, value);
    }

    long estimatedSize() {
        return builder.estimatedFileSize();
    }

    boolean isEmpty() {
        return smallest == null;
    }

    FileMeta finish() {
        try {
            long size = builder.finish();
            long entries = builder.entryCount();
            out.sync();
            out.close();
            fs.syncDir(path.getParent());
            return new FileMeta(number, size, smallest, largest, entries);
        } catch (IOException e) {
            abandon();
            throw StorageException.io("writing table " + path, e);
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
    }

    void abandon() {
        try {
            builder.abandon();
        } catch (RuntimeException ignored) {
            // the file is being thrown away
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the file is being thrown away
        }
        try {
            fs.delete(path);
        } catch (IOException ignored) {
            // an orphan is removed at the next open
        }
    }
}

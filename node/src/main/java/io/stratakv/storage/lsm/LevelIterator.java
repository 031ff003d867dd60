package io.stratakv.storage.lsm;

import java.util.List;

/** Concatenates the files of one sorted level (≥ 1), opening each table's iterator only when reached. */
final class LevelIterator implements InternalIterator {

    private final List<FileMeta> files;
    private final TableCache tables;
    private final boolean fillCache;
    private int index;
    private InternalIterator current;

    LevelIterator(List<FileMeta> files, TableCache tables, boolean fillCache) {
        this.files = files;
        this.tables = tables;
        this.fillCache = fillCache;
    }

    private void open(int i) {
        if (current != null) {
            current.close();
        }
        index = i;
        current = i < files.size() ? tables.get(files.get(i)).iterator(fillCache) : null;
    }

    private void skipEmpty() {
        while (current != null && !current.valid()) {
            open(index + 1);
            if (current != null) {
                current.seekToFirst();
            }
        }
    }

    @Override
    public boolean valid() {
        return current != null && current.valid();
    }

    @Override
    public void seekToFirst() {
        open(0);
        if (current != null) {
            current.seekToFirst();
        }
        skipEmpty();
    }

    @Override
    public void seek(byte[] internalTarget) {
        int lo = 0;
        int hi = files.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.compare(files.get(mid).largest, internalTarget) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        open(lo);
        if (current != null) {
            current.seek(internalTarget);
        }
        skipEmpty();
    }

    @Override
    public void next() {
        current.next();
        skipEmpty();
    }

    @Override
    public byte[] key() {
        return current.key();
    }

    @Override
    public byte[] value() {
        return current.value();
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}

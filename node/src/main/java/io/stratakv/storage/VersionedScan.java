package io.stratakv.storage;

import java.util.List;

/**
 * A scan of user entries: the tree iterators of one or more consecutive key ranges (read on one
 * snapshot, skipping the reserved keys), with each stored value's envelope stripped and its version kept.
 */
public final class VersionedScan implements KvIterator {

    private final List<KvIterator> parts;
    private final Runnable onClose;
    private final String where;
    private int part;
    private VersionedValue current;

    VersionedScan(List<KvIterator> parts, Runnable onClose, String where) {
        this.parts = parts;
        this.onClose = onClose;
        this.where = where;
    }

    @Override
    public boolean next() {
        while (part < parts.size()) {
            KvIterator it = parts.get(part);
            if (it.next()) {
                current = VersionedValue.decode(it.value(), where);
                return true;
            }
            part++;
        }
        current = null;
        return false;
    }

    @Override
    public byte[] key() {
        return parts.get(part).key();
    }

    @Override
    public byte[] value() {
        return current.value();
    }

    /** The version (log offset of the write that set it) of the current entry. */
    public long version() {
        return current.version();
    }

    @Override
    public void close() {
        try {
            for (KvIterator it : parts) {
                it.close();
            }
        } finally {
            onClose.run();
        }
    }
}

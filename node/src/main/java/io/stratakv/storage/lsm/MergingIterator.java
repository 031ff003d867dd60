package io.stratakv.storage.lsm;

import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges child iterators into one in internal-key order. Children never yield equal internal keys
 * (sequence numbers are unique), so the order of ties does not matter.
 */
final class MergingIterator implements InternalIterator {

    private final List<InternalIterator> children;
    private final PriorityQueue<InternalIterator> heap;
    private InternalIterator current;

    MergingIterator(List<InternalIterator> children) {
        this.children = children;
        this.heap = new PriorityQueue<>(Math.max(1, children.size()), (a, b) -> InternalKey.compare(a.key(), b.key()));
    }

    private void rebuild() {
        heap.clear();
        for (InternalIterator c : children) {
            if (c.valid()) {
                heap.add(c);
            }
        }
        current = heap.poll();
    }

    @Override
    public boolean valid() {
        return current != null;
    }

    @Override
    public void seekToFirst() {
        for (InternalIterator c : children) {
            c.seekToFirst();
        }
        rebuild();
    }

    @Override
    public void seek(byte[] internalTarget) {
        for (InternalIterator c : children) {
            c.seek(internalTarget);
        }
        rebuild();
    }

    @Override
    public void next() {
        current.next();
        if (current.valid()) {
            heap.add(current);
        }
        current = heap.poll();
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
        for (InternalIterator c : children) {
            c.close();
        }
    }
}

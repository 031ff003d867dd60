package io.stratakv.storage.log;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Group commit for one log, leader/follower style, and the log's failed state.
 *
 * <p>At most one thread at a time holds the <em>sync token</em>; only the holder fsyncs the active
 * segment or replaces it, and only the holder advances durableEnd. A thread that needs an offset
 * durable either takes the token and fsyncs everything written so far, or, if another thread holds
 * it, waits; when that fsync ends, offsets it covered are done and one of the remaining waiters
 * leads the next fsync for everything written meanwhile. So N concurrent appenders cost about two
 * fsyncs, not N.
 *
 * <p>The failed state is set once by {@link #fail} and never cleared: every waiter wakes and throws
 * LOG_FAILED, and the log refuses writes until reopened.
 *
 * <p>Closing: after {@link #closing()} no waiter leads any more (close makes the final fsync with
 * the token); after {@link #closed()} waiters whose offset is still not durable throw CLOSED.
 */
final class GroupCommit {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final String logName;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean syncing; // guarded by lock: the token is taken
    private boolean closing; // guarded by lock
    private boolean closed; // guarded by lock
    private volatile long durableEnd;
    private volatile StorageException failure;

    GroupCommit(String logName, long durableEnd) {
        this.logName = logName;
        this.durableEnd = durableEnd;
    }

    long durableEnd() {
        return durableEnd;
    }

    /** Token holder only: everything below end is now durable (or, after a truncation, the end moved down). */
    void setDurableEnd(long end) {
        durableEnd = end;
    }

    boolean failed() {
        return failure != null;
    }

    /**
     * Waits until offset is below durableEnd, leading an fsync (syncAll, called holding the token)
     * when no other thread is running one. Returns quietly if offset is no longer below the log end
     * (a truncation cut it off).
     */
    void awaitDurable(long offset, LongSupplier endOffset, Runnable syncAll) {
        lock.lock();
        try {
            while (true) {
                if (offset < durableEnd || offset >= endOffset.getAsLong()) {
                    return;
                }
                throwIfFailed();
                if (closed) {
                    throw closedError();
                }
                if (!closing && !syncing) {
                    syncing = true;
                    break;
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        try {
            syncAll.run();
        } finally {
            release();
        }
    }

    /** Takes the token, waiting for a running fsync to end. */
    void acquire() {
        lock.lock();
        try {
            while (syncing) {
                changed.awaitUninterruptibly();
            }
            syncing = true;
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            syncing = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Puts the log in the failed state (the first failure wins), wakes every waiter, returns the error to throw. */
    StorageException fail(String what, Throwable cause) {
        StorageException e = new StorageException(StorageErrorCode.LOG_FAILED, what
                + "; partition log " + logName + " refuses writes until it is reopened", cause);
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
                LOG.error("partition log {} failed (durable to offset {}): {}", logName, durableEnd, what, cause);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return e;
    }

    void throwIfFailed() {
        StorageException f = failure;
        if (f != null) {
            throw new StorageException(StorageErrorCode.LOG_FAILED, "partition log " + logName
                    + " failed earlier and refuses writes until reopened (" + f.getMessage() + ")", f);
        }
    }

    /** No waiter leads from now on: the closing thread makes the final fsync. */
    void closing() {
        lock.lock();
        try {
            closing = true;
        } finally {
            lock.unlock();
        }
    }

    /** The final fsync is done (or will never come): waiters still not durable give up. */
    void closed() {
        lock.lock();
        try {
            closing = true;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    StorageException closedError() {
        return new StorageException(StorageErrorCode.CLOSED, "partition log " + logName + " is closed");
    }
}

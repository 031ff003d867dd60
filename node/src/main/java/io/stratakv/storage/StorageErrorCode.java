package io.stratakv.storage;

/**
 * Stable, machine-readable codes for every failure the storage engine reports. The names are part
 * of the public contract (they travel to clients in error bodies): add codes, never rename them.
 */
public enum StorageErrorCode {
    /** The key is empty or longer than the configured maximum. Nothing was written. */
    KEY_TOO_LARGE(false),
    /** The key is empty. Nothing was written. */
    KEY_EMPTY(false),
    /** The value is longer than the configured maximum. Nothing was written. */
    VALUE_TOO_LARGE(false),
    /** A log record would exceed the configured maximum record size. Nothing was written. */
    RECORD_TOO_LARGE(false),
    /** A caller passed an argument outside its domain (negative offset, inverted range, ...). */
    INVALID_ARGUMENT(false),
    /** A user key in the reserved internal key space (first byte 0x00; ENGINE.md). Nothing written. */
    KEY_RESERVED(false),
    /** The device has no room; the write was not applied and stored data is intact. */
    DISK_FULL(true),
    /** An I/O error other than a full disk. */
    IO_ERROR(true),
    /** Stored bytes fail their checksum or do not parse; the message names file and position. */
    CORRUPTION(false),
    /** An fsync failed: the log refuses every later write until it is reopened (no silent loss). */
    LOG_FAILED(false),
    /** A background flush or compaction failed; writes are refused until the engine is reopened. */
    ENGINE_FAILED(false),
    /** An append named a leader epoch older than the newest epoch already in the log. */
    STALE_EPOCH(false),
    /** The requested log offset is below the log start or above its end. */
    OFFSET_OUT_OF_RANGE(false),
    /** The engine or log was closed. */
    CLOSED(false),
    /** The partition has split (or is splitting): it takes no more appends; its children take over its keys. Nothing was written. */
    PARTITION_SPLIT(true);

    private final boolean retryable;

    StorageErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether the same request may succeed if retried later without any operator action. */
    public boolean retryable() {
        return retryable;
    }
}

package io.stratakv.storage.log;

/** When the event log makes appended records durable. */
public enum FsyncPolicy {
    /** fsync before acknowledging an append; concurrent appends share one fsync (group commit). */
    ALWAYS,
    /** fsync in the background every configured interval; a crash may lose up to one interval. */
    INTERVAL,
    /** fsync only when a segment rolls or the log closes; a power loss may lose anything unsynced. */
    NEVER
}

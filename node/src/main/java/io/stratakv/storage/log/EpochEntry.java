package io.stratakv.storage.log;

/** A leader epoch and the first log offset written in it. */
public record EpochEntry(long epoch, long startOffset) {
}

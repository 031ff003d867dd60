package io.stratakv.ops.bench;

/** A command line the benchmark cannot run; the message says what is wrong. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}

package io.stratakv.ops.dev;

/** {@code strata dev} cannot start or lost its cluster; the message says why and what to do. */
final class DevException extends Exception {

    DevException(String message) {
        super(message);
    }
}

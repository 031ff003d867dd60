package io.stratakv.it.check;

import io.stratakv.it.history.Operation;

import java.util.Objects;

/**
 * The sequential specification of one key: a register holding a string or nothing, initially
 * nothing. The state is the value itself (null: absent), so two states are equal when their
 * values are, which is what makes the linearizability checker's cache effective.
 */
final class RegisterModel {
    /** The state of a key no one has written. */
    static final String INITIAL = null;

    private RegisterModel() {}

    /**
     * Whether {@code op}, with the result it recorded, can take effect in {@code state}: a read
     * must return the value there; a CAS in a checked history took effect, so its expected value
     * must be there. A write always can.
     */
    static boolean accepts(String state, Operation op) {
        return switch (op.function()) {
            case READ -> Objects.equals(state, op.value());
            case WRITE -> true;
            case CAS -> Objects.equals(state, op.expected());
        };
    }

    /** The state after {@code op} took effect in a state that {@link #accepts} it. */
    static String next(String state, Operation op) {
        return op.function().isWrite() ? op.value() : state;
    }
}

package io.stratakv.storage;

import java.util.Arrays;

/**
 * The engine's own key space inside a partition's tree (ENGINE.md, "Reserved keys"): every key
 * starting with {@link #PREFIX}. User keys with that prefix are refused (KEY_RESERVED) and scans
 * skip the range, so the engine's tables (request ids) can never be read or written as user data.
 *
 * <p>Why this prefix: eight zero bytes, 0xFF, "strata", 0xFF is a key no text or integer encoding
 * produces by accident, while keys that merely start with 0x00 (big-endian integers) stay usable.
 */
final class ReservedKeys {

    static final byte[] PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, 's', 't', 'r', 'a', 't', 'a', (byte) 0xFF};
    /** The first key after the reserved range. */
    static final byte[] END = {0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, 's', 't', 'r', 'a', 't', 'b'};

    private ReservedKeys() {
    }

    static boolean isReserved(byte[] key) {
        return key.length >= PREFIX.length && Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
    }

    /** PREFIX followed by table and the key within that table. */
    static byte[] key(byte table, byte[] suffix) {
        byte[] k = new byte[PREFIX.length + 1 + suffix.length];
        System.arraycopy(PREFIX, 0, k, 0, PREFIX.length);
        k[PREFIX.length] = table;
        System.arraycopy(suffix, 0, k, PREFIX.length + 1, suffix.length);
        return k;
    }

    static byte[] tablePrefix(byte table) {
        return key(table, new byte[0]);
    }
}

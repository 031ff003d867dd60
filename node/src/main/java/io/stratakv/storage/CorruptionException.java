package io.stratakv.storage;

/**
 * Stored bytes that fail a checksum or do not parse. Always names the file and the byte position
 * (or block) so an operator can find it; decoders throw nothing else on bad input.
 */
public final class CorruptionException extends StorageException {

    private final String file;
    private final long position;

    public CorruptionException(String file, long position, String what) {
        super(StorageErrorCode.CORRUPTION, what + " in " + file + " at byte " + position);
        this.file = file;
        this.position = position;
    }

    public String file() {
        return file;
    }

    public long position() {
        return position;
    }
}

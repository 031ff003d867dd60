package io.stratakv.storage;

/** Every failure of the storage engine: a stable {@link StorageErrorCode} plus a message to act on. */
public class StorageException extends RuntimeException {

    private final StorageErrorCode code;

    public StorageException(StorageErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public StorageException(StorageErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public StorageErrorCode code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    /** Maps an IOException to DISK_FULL or IO_ERROR, keeping it as the cause. */
    public static StorageException io(String what, java.io.IOException e) {
        String msg = String.valueOf(e.getMessage());
        boolean full = msg.contains("No space left") || msg.contains("ENOSPC") || msg.contains("Disk quota");
        return new StorageException(full ? StorageErrorCode.DISK_FULL : StorageErrorCode.IO_ERROR,
                what + ": " + msg, e);
    }
}

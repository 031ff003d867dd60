package io.stratakv.zk.records;

/**
 * A znode's content that this code cannot read: it names the znode path, the record type and
 * what is wrong. Never retried blindly; it means a bug, a newer writer, or manual tampering.
 */
public final class SchemaException extends RuntimeException {

    /** What kind of problem; stable, for callers and metrics. */
    public enum Problem {
        /** The znode holds no bytes. */
        EMPTY,
        /** Not JSON, or not a JSON object. */
        MALFORMED_JSON,
        /** No {@code "schema"} field, or not an integer. */
        MISSING_SCHEMA,
        /** A schema version this code does not read (probably written by a newer StrataKV). */
        UNSUPPORTED_SCHEMA,
        /** Known schema, but a field is missing, of the wrong type, or breaks the record's invariants. */
        INVALID_RECORD
    }

    private final String path;
    private final Class<?> type;
    private final Problem problem;

    public SchemaException(String path, Class<?> type, Problem problem, String detail, Throwable cause) {
        super("znode " + path + " (" + type.getSimpleName() + "): " + problem + ": " + detail, cause);
        this.path = path;
        this.type = type;
        this.problem = problem;
    }

    public String path() {
        return path;
    }

    public Class<?> type() {
        return type;
    }

    public Problem problem() {
        return problem;
    }
}

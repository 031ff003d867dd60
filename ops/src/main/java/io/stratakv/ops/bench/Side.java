package io.stratakv.ops.bench;

/** The two engines the benchmark compares; the JSON fields and table columns are named after them. */
public enum Side {
    STRATA("strata", "StrataKV"),
    ROCKSDB("rocksdb", "RocksDB");

    private final String id;
    private final String displayName;

    Side(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    /** The name used on the command line and as the JSON field prefix. */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }
}

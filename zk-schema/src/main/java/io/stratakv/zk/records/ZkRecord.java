package io.stratakv.zk.records;

/**
 * A record stored as JSON in a znode. Each carries its {@code "schema"} version so that a reader
 * can refuse a layout it does not understand instead of misreading it (see {@link ZkCodec}).
 */
public sealed interface ZkRecord
        permits ClusterRecord, ControllerEpochRecord, NodeRegistration, NodeLive, KeyspaceRecord, PartitionRecord {

    /** The only schema version this code reads and writes. */
    int SCHEMA_V1 = 1;

    int schema();

    /** Refuses a schema version this code cannot write; used by every record's constructor. */
    static void checkSchema(int schema, Class<?> type) {
        if (schema != SCHEMA_V1) {
            throw new IllegalArgumentException(type.getSimpleName() + " schema " + schema
                    + " is not supported (this version knows schema " + SCHEMA_V1 + ")");
        }
    }
}

package io.stratakv.zk.records;

import java.time.Instant;

/**
 * {@code <root>/controller/epoch}: which controller is active and since when. Bumped by each
 * newly active controller with a compare-and-set; its znode <em>version</em> is what every later
 * controller write checks (see {@code io.stratakv.zk.fence}).
 *
 * @param epoch        1 for the first controller, +1 per takeover
 * @param controllerId the active controller's id
 * @param since        when it became active
 */
public record ControllerEpochRecord(int schema, long epoch, String controllerId, Instant since) implements ZkRecord {
    public ControllerEpochRecord {
        ZkRecord.checkSchema(schema, ControllerEpochRecord.class);
        if (epoch < 1) {
            throw new IllegalArgumentException("controller epoch " + epoch + " must be at least 1");
        }
        Checks.notBlank(controllerId, "controllerId");
        Checks.present(since, "since");
    }

    public static ControllerEpochRecord of(long epoch, String controllerId, Instant since) {
        return new ControllerEpochRecord(SCHEMA_V1, epoch, controllerId, since);
    }
}

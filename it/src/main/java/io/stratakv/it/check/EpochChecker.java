package io.stratakv.it.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks what write acknowledgements reveal about leadership (DESIGN.md §4), per partition:
 * <ol>
 *   <li><b>One leader per epoch.</b> All writes accepted in one epoch were accepted by the same
 *       node. Two leaders in an epoch means fencing failed (CURATOR-696, apache/helix#691).
 *   <li><b>Epochs never go backwards for a client.</b> In the order each client received its
 *       acknowledgements, the epoch of a partition never decreases: once a client has seen epoch
 *       {@code e} accept a write, a deposed leader of an older epoch must not accept one for it
 *       (apache/bookkeeper#4462).
 *   <li><b>A committed offset is never taken back.</b> For committed acknowledgements of
 *       different writes: in one epoch, no two share an offset; and a write committed in a later
 *       epoch lies at a higher offset than every write committed in an earlier one. A new leader
 *       holds every committed entry, so it can only append after them; a lower offset means it
 *       truncated a committed entry (Kafka KIP-101). A retry recognised by its write id may be
 *       acknowledged again at its original offset and is not counted.
 * </ol>
 * The observations are given in the order they were received; only the order within one client
 * matters for rule 2, and rules 1 and 3 need no order at all.
 */
public final class EpochChecker {

    public sealed interface Violation {
        String partition();
    }

    public record TwoLeadersInOneEpoch(String partition, long epoch, EpochObservation first,
                                       EpochObservation second) implements Violation {
        @Override
        public String toString() {
            return partition + ": epoch " + epoch + " accepted writes on two leaders, " + first.leader() + " ("
                    + first + ") and " + second.leader() + " (" + second + ")";
        }
    }

    public record EpochWentBackwards(String partition, int client, EpochObservation before,
                                     EpochObservation after) implements Violation {
        @Override
        public String toString() {
            return partition + ": client " + client + " saw epoch " + before.epoch() + " then " + after.epoch()
                    + " (" + before + ", then " + after + ")";
        }
    }

    public record CommittedOffsetTakenBack(String partition, EpochObservation earlier,
                                           EpochObservation later) implements Violation {
        @Override
        public String toString() {
            return partition + ": committed write at offset " + earlier.offset() + " in epoch " + earlier.epoch()
                    + " was followed by a different committed write at offset " + later.offset() + " in epoch "
                    + later.epoch() + " (" + earlier + "; " + later + ")";
        }
    }

    public record Result(List<Violation> violations, int observations) {
        public Result {
            violations = List.copyOf(violations);
        }

        public boolean isValid() {
            return violations.isEmpty();
        }

        public Verdict verdict() {
            return isValid() ? Verdict.VALID : Verdict.INVALID;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder().append(verdict()).append(": ").append(observations)
                    .append(" acknowledgements");
            violations.forEach(v -> b.append("\n  ").append(v));
            return b.toString();
        }
    }

    public Result check(List<EpochObservation> observations) {
        List<Violation> violations = new ArrayList<>();
        oneLeaderPerEpoch(observations, violations);
        epochsNeverGoBackwards(observations, violations);
        committedOffsetsStay(observations, violations);
        return new Result(violations, observations.size());
    }

    private static void oneLeaderPerEpoch(List<EpochObservation> obs, List<Violation> out) {
        record PartitionEpoch(String partition, long epoch) {}
        Map<PartitionEpoch, EpochObservation> firstLeader = new HashMap<>();
        Map<PartitionEpoch, List<String>> reported = new HashMap<>();
        for (EpochObservation o : obs) {
            PartitionEpoch pe = new PartitionEpoch(o.partition(), o.epoch());
            EpochObservation first = firstLeader.putIfAbsent(pe, o);
            if (first != null && !first.leader().equals(o.leader())) {
                List<String> seen = reported.computeIfAbsent(pe, k -> new ArrayList<>());
                if (!seen.contains(o.leader())) {
                    seen.add(o.leader());
                    out.add(new TwoLeadersInOneEpoch(o.partition(), o.epoch(), first, o));
                }
            }
        }
    }

    private static void epochsNeverGoBackwards(List<EpochObservation> obs, List<Violation> out) {
        record ClientPartition(int client, String partition) {}
        Map<ClientPartition, EpochObservation> latest = new HashMap<>();
        for (EpochObservation o : obs) {
            ClientPartition cp = new ClientPartition(o.client(), o.partition());
            EpochObservation before = latest.get(cp);
            if (before != null && o.epoch() < before.epoch()) {
                out.add(new EpochWentBackwards(o.partition(), o.client(), before, o));
            } else {
                latest.put(cp, o);
            }
        }
    }

    private static void committedOffsetsStay(List<EpochObservation> obs, List<Violation> out) {
        // Per partition, per epoch, the committed acknowledgements by offset.
        Map<String, TreeMap<Long, Map<Long, EpochObservation>>> byPartition = new LinkedHashMap<>();
        for (EpochObservation o : obs) {
            if (!o.committed()) continue;
            Map<Long, EpochObservation> atOffset = byPartition.computeIfAbsent(o.partition(), k -> new TreeMap<>())
                    .computeIfAbsent(o.epoch(), k -> new TreeMap<>());
            EpochObservation other = atOffset.putIfAbsent(o.offset(), o);
            if (other != null && !other.writeId().equals(o.writeId())) {
                out.add(new CommittedOffsetTakenBack(o.partition(), other, o));
            }
        }
        for (TreeMap<Long, Map<Long, EpochObservation>> epochs : byPartition.values()) {
            // Walk epochs upwards, remembering every offset committed so far and the highest one:
            // a committed write of a later epoch must lie above that, unless it is a retry of the
            // write already committed at its offset.
            Map<Long, EpochObservation> committedBefore = new HashMap<>();
            EpochObservation highest = null;
            for (Map<Long, EpochObservation> atOffset : epochs.values()) {
                for (EpochObservation o : atOffset.values()) {
                    if (highest == null || o.offset() > highest.offset()) continue;
                    EpochObservation same = committedBefore.get(o.offset());
                    if (same == null || !same.writeId().equals(o.writeId())) {
                        out.add(new CommittedOffsetTakenBack(o.partition(), same != null ? same : highest, o));
                    }
                }
                for (EpochObservation o : atOffset.values()) {
                    committedBefore.putIfAbsent(o.offset(), o);
                    if (highest == null || o.offset() > highest.offset()) highest = o;
                }
            }
        }
    }
}

package io.stratakv.storage;

import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import io.stratakv.storage.log.LogRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Versions, compare-and-set and request ids are decided at apply time from the entry and the tree
 * (ENGINE.md): two replicas applying the same log agree, and a reopen replays to the same state.
 */
class ConditionalAndIdempotentApplyTest {

    private static final Path DIR = Path.of("/data/p");

    private static PartitionStore replica(CrashSimulatingFs fs, Path dir) {
        PartitionStore s = PartitionStore.open(fs, dir, TestStores.tiny(FsyncPolicy.ALWAYS), null, null, false);
        return s;
    }

    private static ApplyOutcome commit(PartitionStore s, Mutation m) {
        long off = s.append(m);
        s.commitTo(off + 1);
        return s.outcome(off);
    }

    @Test
    void conditionalMutationEncodesAsEngineMdSays() {
        Mutation m = Mutation.put(b("k"), b("v")).withRequestId(b("r")).ifVersion(5);
        assertThat(m.encode()).containsExactly(0x81, 1, 'k', 1, 'r', 5, 'v');
        Mutation d = Mutation.delete(b("k")).ifVersion(300);
        assertThat(d.encode()).containsExactly(0x82, 1, 'k', 0, 0xAC, 0x02);
        Mutation back = Mutation.decode(m.encode(), "t", 0);
        assertThat(back.expectedVersion()).isEqualTo(5);
        assertThat(s(back.value())).isEqualTo("v");
        assertThat(Mutation.decode(d.encode(), "t", 0).expectedVersion()).isEqualTo(300);
        assertThat(Mutation.decode(Mutation.put(b("k"), b("v")).encode(), "t", 0).conditional()).isFalse();
        assertThat(catchThrowableOfType(CorruptionException.class,
                () -> Mutation.decode(new byte[]{(byte) 0x83, 0, 0, 0}, "t", 9))).isNotNull();
    }

    @Test
    void valueEnvelopeIsFormatByteVarintVersionValue() {
        assertThat(VersionedValue.encode(300, b("ab"))).containsExactly(1, 0xAC, 0x02, 'a', 'b');
        VersionedValue v = VersionedValue.decode(new byte[]{1, 7, 'x'}, "t");
        assertThat(v.version()).isEqualTo(7);
        assertThat(s(v.value())).isEqualTo("x");
    }

    @Test
    void versionIsTheOffsetAndConditionsDecideAtApply() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (PartitionStore s = replica(fs, DIR)) {
            s.setEpoch(1);
            s.commitTo(s.appendEpochStart() + 1);
            ApplyOutcome created = commit(s, Mutation.put(b("k"), b("v1")).ifVersion(0));
            assertThat(created.status()).isEqualTo(ApplyOutcome.Status.APPLIED);
            assertThat(s.getVersioned(b("k")).version()).isEqualTo(created.offset()).isEqualTo(created.version());
            assertThat(s(s.get(b("k")))).isEqualTo("v1");

            ApplyOutcome again = commit(s, Mutation.put(b("k"), b("v2")).ifVersion(0));
            assertThat(again.status()).isEqualTo(ApplyOutcome.Status.PRECONDITION_FAILED);
            assertThat(again.version()).isEqualTo(created.offset());
            assertThat(s(s.get(b("k")))).isEqualTo("v1");

            ApplyOutcome cas = commit(s, Mutation.put(b("k"), b("v3")).ifVersion(created.offset()));
            assertThat(cas.status()).isEqualTo(ApplyOutcome.Status.APPLIED);
            assertThat(commit(s, Mutation.delete(b("k")).ifVersion(created.offset())).status())
                    .isEqualTo(ApplyOutcome.Status.PRECONDITION_FAILED);
            ApplyOutcome del = commit(s, Mutation.delete(b("k")).ifVersion(cas.offset()));
            assertThat(del.status()).isEqualTo(ApplyOutcome.Status.APPLIED);
            assertThat(del.version()).isZero();
            assertThat(s.get(b("k"))).isNull();
            assertThat(commit(s, Mutation.put(b("k"), b("v4")).ifVersion(0)).status()).isEqualTo(ApplyOutcome.Status.APPLIED);
        }
    }

    @Test
    void twoConcurrentCreatesBothInTheLogOnlyTheFirstAppliesOnEveryReplica() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (PartitionStore leader = replica(fs, DIR); PartitionStore follower = replica(fs, Path.of("/data/f"))) {
            leader.setEpoch(1);
            leader.appendEpochStart();
            long a = leader.append(Mutation.put(b("k"), b("A")).ifVersion(0));
            long c = leader.append(Mutation.put(b("k"), b("C")).ifVersion(0));
            follower.appendReplicated(leader.log().read(0, 1 << 20));
            leader.commitTo(c + 1);
            follower.commitTo(c + 1);
            for (PartitionStore r : List.of(leader, follower)) {
                assertThat(s(r.get(b("k")))).isEqualTo("A");
                assertThat(r.outcome(a).status()).isEqualTo(ApplyOutcome.Status.APPLIED);
                assertThat(r.outcome(c).status()).isEqualTo(ApplyOutcome.Status.PRECONDITION_FAILED);
                assertThat(r.outcome(c).version()).isEqualTo(a);
            }
        }
    }

    @Test
    void aRetriedRequestIdAppliesOnceAndAnswersTheOriginalOutcomeAcrossReopen() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        long first;
        try (PartitionStore s = replica(fs, DIR)) {
            s.setEpoch(1);
            s.commitTo(s.appendEpochStart() + 1);
            ApplyOutcome o = commit(s, Mutation.put(b("k"), b("v1")).withRequestId(b("req-1")));
            first = o.offset();
            commit(s, Mutation.put(b("k"), b("other")));
            ApplyOutcome retry = commit(s, Mutation.put(b("k"), b("v1")).withRequestId(b("req-1")));
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.offset()).isEqualTo(first);
            assertThat(s(s.get(b("k")))).isEqualTo("other");
            // A failed condition is remembered as such.
            ApplyOutcome failed = commit(s, Mutation.delete(b("k")).ifVersion(1).withRequestId(b("req-2")));
            assertThat(failed.status()).isEqualTo(ApplyOutcome.Status.PRECONDITION_FAILED);
            assertThat(s.requestIdCount()).isEqualTo(2);
            // The reserved key space is invisible to scans and unreachable for user keys.
            try (KvIterator it = s.scan(null, null)) {
                assertThat(it.next()).isTrue();
                assertThat(s(it.key())).isEqualTo("k");
                assertThat(it.next()).isFalse();
            }
            try (KvIterator it = s.scanPrefix(ReservedKeys.PREFIX)) {
                assertThat(it.next()).isFalse();
            }
            StorageException e = catchThrowableOfType(StorageException.class,
                    () -> s.put(RequestIdTable.key(b("x")), b("v")));
            assertThat(e.code()).isEqualTo(StorageErrorCode.KEY_RESERVED);
            s.flush();
            commit(s, Mutation.put(b("j"), b("1")).withRequestId(b("req-3")));
        }
        // Reopen: req-1 and req-2 come back from the tables, req-3 from replaying the log.
        try (PartitionStore s = replica(fs, DIR)) {
            s.commitTo(s.log().endOffset());
            assertThat(s.requestIdCount()).isEqualTo(3);
            s.setEpoch(2);
            ApplyOutcome r1 = commit(s, Mutation.put(b("k"), b("v1")).withRequestId(b("req-1")));
            assertThat(r1.duplicate()).isTrue();
            assertThat(r1.offset()).isEqualTo(first);
            ApplyOutcome r2 = commit(s, Mutation.delete(b("k")).ifVersion(1).withRequestId(b("req-2")));
            assertThat(r2.status()).isEqualTo(ApplyOutcome.Status.PRECONDITION_FAILED);
            assertThat(r2.duplicate()).isTrue();
            assertThat(commit(s, Mutation.put(b("j"), b("2")).withRequestId(b("req-3"))).duplicate()).isTrue();
            assertThat(s(s.get(b("j")))).isEqualTo("1");
        }
    }

    @Test
    void scansAroundTheReservedKeysSeeEveryUserKeyOnce() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (PartitionStore s = PartitionStore.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER), null)) {
            byte[] zero = new byte[4];
            byte[] below = new byte[]{0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, 's'};
            s.put(zero, b("z"));
            s.put(below, b("b"));
            s.put(b("m"), b("m"));
            s.append(Mutation.put(b("m"), b("m2")).withRequestId(b("id")));
            s.commitTo(s.log().endOffset());
            assertThat(keys(s.scan(null, null))).containsExactly("00000000", "000000000000", "6d");
            assertThat(keys(s.scan(below, null))).containsExactly("000000000000", "6d");
            assertThat(keys(s.scan(null, ReservedKeys.END))).containsExactly("00000000", "000000000000");
            assertThat(keys(s.scan(RequestIdTable.key(b("a")), null))).containsExactly("6d");
            assertThat(keys(s.scan(RequestIdTable.key(b("a")), RequestIdTable.key(b("z"))))).isEmpty();
            assertThat(keys(s.scanPrefix(new byte[0]))).hasSize(3);
            assertThat(keys(s.scanPrefix(new byte[]{0}))).containsExactly("00000000", "000000000000");
        }
    }

    private static List<String> keys(VersionedScan it) {
        List<String> out = new ArrayList<>();
        try (it) {
            while (it.next()) {
                out.add(java.util.HexFormat.of().formatHex(it.key(), 0, Math.min(it.key().length, 6)));
            }
        }
        return out;
    }

    @Test
    void requestIdsExpireAfterTheRetentionInOffsets() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        StoreOptions opts = StoreOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER);
        try (PartitionStore s = PartitionStore.open(fs, DIR, opts, null, null, false)) {
            List<LogRecord> batch = new ArrayList<>();
            batch.add(new LogRecord(0, 1, Mutation.put(b("k"), b("v")).withRequestId(b("old")).encode()));
            long n = RequestIdTable.RETENTION_OFFSETS;
            for (long off = 1; off <= n; off++) {
                batch.add(new LogRecord(off, 1, Mutation.epochStart().encode()));
                if (batch.size() == 4096) {
                    s.appendReplicated(batch);
                    batch = new ArrayList<>();
                }
            }
            // At offset n the id recorded at 0 is still a match; one later it is not.
            batch.add(new LogRecord(n + 1, 1, Mutation.put(b("k"), b("again")).withRequestId(b("old")).encode()));
            s.appendReplicated(batch);
            s.commitTo(n);
            assertThat(s.requestIdCount()).isEqualTo(1);
            s.commitTo(n + 1);
            assertThat(s.requestIdCount()).isZero();
            s.commitTo(n + 2);
            assertThat(s.outcome(n + 1).duplicate()).isFalse();
            assertThat(s(s.get(b("k")))).isEqualTo("again");
        }
    }
}

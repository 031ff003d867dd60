package io.stratakv.storage;

import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import io.stratakv.storage.log.LogRecord;
import io.stratakv.zk.hash.KeyHash;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The split entry (ENGINE.md, "Split entry"): the store freezes at its offset, refuses appends,
 * and its two children hold exactly their halves' keys with unchanged versions, the request-id
 * table, and a log starting right after the split in its epoch.
 */
class StoreSplitTest {

    private static final long MID = Long.MAX_VALUE; // the split of the full ring: [0, 2^63-1] and [2^63, 2^64-1]
    private static final SplitEntry ENTRY = new SplitEntry(1, 2, 0, MID, -1L, 1234);

    private static PartitionStore open(CrashSimulatingFs fs, String dir) {
        return PartitionStore.open(fs, Path.of(dir), TestStores.tiny(FsyncPolicy.ALWAYS), null, null, false);
    }

    @Test
    void splitEntryEncodesAsEngineMdSays() {
        byte[] e = new SplitEntry(7, 8, 0x10, 0x1F, 0x2F, 5).encode();
        assertThat(e).hasSize(41);
        assertThat(e[0]).isEqualTo((byte) 1);
        assertThat(e).startsWith(1, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0x10);
        Mutation m = Mutation.split(new SplitEntry(7, 8, 0x10, 0x1F, 0x2F, 5));
        byte[] enc = m.encode();
        assertThat(enc).startsWith(4, 0, 0, 1);
        assertThat(Mutation.decode(enc, "t", 3).kind()).isEqualTo(Mutation.Kind.SPLIT);
        assertThat(SplitEntry.decode(Mutation.decode(enc, "t", 3).value(), "t", 3).upperPartitionId()).isEqualTo(8);
        assertThat(catchThrowableOfType(CorruptionException.class,
                () -> Mutation.decode(new byte[]{4, 0, 0, 9, 9}, "t", 3))).isNotNull();
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> new SplitEntry(1, 2, 10, 10, 10, 0))).isNotNull(); // nothing left for the upper half
    }

    @Test
    void childrenHoldExactlyTheirHalvesWithVersionsAndRequestIds() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        Map<String, Long> versions = new HashMap<>();
        long splitOffset;
        try (PartitionStore p = open(fs, "/d/0")) {
            p.setEpoch(3);
            p.commitTo(p.appendEpochStart() + 1);
            for (int i = 0; i < 3000; i++) {
                long off = p.append(Mutation.put(b("key-" + i), b("v" + i)).withRequestId(b("req-" + i)));
                versions.put("key-" + i, off);
            }
            for (int i = 0; i < 3000; i += 10) {
                p.append(Mutation.delete(b("key-" + i)));
                versions.remove("key-" + i);
            }
            splitOffset = p.appendSplit(ENTRY);
            // Sealed: nothing more is appended by this leader.
            StorageException refused = catchThrowableOfType(StorageException.class,
                    () -> p.append(Mutation.put(b("late"), b("x"))));
            assertThat(refused.code()).isEqualTo(StorageErrorCode.PARTITION_SPLIT);
            // A record after the split entry (a follower's log may hold one from a race): never applied.
            long after = p.log().endOffset();
            p.appendReplicated(List.of(new LogRecord(after, 3, Mutation.put(b("key-1"), b("late")).encode())));
            p.commitTo(p.log().endOffset());
            assertThat(p.appliedSplit().offset()).isEqualTo(splitOffset);
            assertThat(p.appliedSplit().epoch()).isEqualTo(3);
            assertThat(p.outcome(after).status()).isEqualTo(ApplyOutcome.Status.SPLIT);
            assertThat(s(p.get(b("key-1")))).isEqualTo("v1");
            p.flush();
        }
        try (PartitionStore p = open(fs, "/d/0")) {
            assertThat(p.appliedSplit()).as("the split survives a reopen").isNotNull();
            assertThat(p.splitSealed()).isTrue();
            StoreSplitter.ChildStats lower = StoreSplitter.buildChild(fs, p, true, Path.of("/d/1"),
                    TestStores.tiny(FsyncPolicy.ALWAYS), KeyHash::hash);
            StoreSplitter.ChildStats upper = StoreSplitter.buildChild(fs, p, false, Path.of("/d/2"),
                    TestStores.tiny(FsyncPolicy.ALWAYS), KeyHash::hash);
            assertThat(lower.userKeys() + upper.userKeys()).isEqualTo(versions.size());
            assertThat(lower.userKeys()).isBetween(1000L, 1700L); // the hash spreads keys over both halves
            assertThat(lower.requestIds()).isEqualTo(3000).isEqualTo(upper.requestIds());
        }
        fs.crash(); // everything the split wrote was made durable
        try (PartitionStore c1 = open(fs, "/d/1"); PartitionStore c2 = open(fs, "/d/2")) {
            for (PartitionStore c : List.of(c1, c2)) {
                assertThat(c.log().startOffset()).isEqualTo(splitOffset + 1);
                assertThat(c.log().endOffset()).isEqualTo(splitOffset + 1);
                assertThat(c.log().latestEpoch()).isEqualTo(3);
                assertThat(c.commitEnd()).isEqualTo(splitOffset + 1);
                assertThat(c.appliedSplit()).as("a child has not split").isNull();
            }
            for (int i = 0; i < 3000; i++) {
                String k = "key-" + i;
                boolean lower = Long.compareUnsigned(KeyHash.hash(b(k)), MID) <= 0;
                VersionedValue in = (lower ? c1 : c2).getVersioned(b(k));
                VersionedValue other = (lower ? c2 : c1).getVersioned(b(k));
                assertThat(other).as("%s is in one child only", k).isNull();
                if (versions.containsKey(k)) {
                    assertThat(in).as(k).isNotNull();
                    assertThat(in.version()).isEqualTo(versions.get(k));
                    assertThat(s(in.value())).isEqualTo("v" + i);
                } else {
                    assertThat(in).as("deleted %s stays deleted", k).isNull();
                }
            }
            try (VersionedScan scan = c1.scan(null, null)) {
                int n = 0;
                while (scan.next()) {
                    assertThat(Long.compareUnsigned(KeyHash.hash(scan.key()), MID)).isLessThanOrEqualTo(0);
                    n++;
                }
                assertThat(n).isPositive();
            }
            // A child leader continues the log after the split and recognises a retry from before it.
            c1.setEpoch(4);
            long start = c1.appendEpochStart();
            assertThat(start).isEqualTo(splitOffset + 1);
            c1.commitTo(start + 1);
            long retry = c1.append(Mutation.put(b("key-1"), b("v1")).withRequestId(b("req-1")));
            long fresh = c1.append(Mutation.put(b("new"), b("n")).withRequestId(b("req-new")));
            c1.commitTo(fresh + 1);
            assertThat(c1.outcome(retry).duplicate()).isTrue();
            assertThat(c1.outcome(retry).offset()).isEqualTo(versions.get("key-1"));
            assertThat(c1.outcome(fresh).status()).isEqualTo(ApplyOutcome.Status.APPLIED);
        }
    }
}

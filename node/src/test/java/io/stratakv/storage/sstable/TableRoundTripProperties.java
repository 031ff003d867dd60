package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Randomized round trip over the table options: every read answers as the model does. */
class TableRoundTripProperties {

    @Property(tries = 300)
    void everyVersionReadsBackAtEverySnapshot(@ForAll long seed,
                                              @ForAll @IntRange(min = 1, max = 60) int userKeys,
                                              @ForAll @IntRange(min = 1, max = 2048) int blockSize,
                                              @ForAll @IntRange(min = 1, max = 20) int restartInterval,
                                              @ForAll @IntRange(min = 0, max = 20) int bloomBitsPerKey) {
        Random rnd = new Random(seed);
        List<KV> entries = TestTables.randomEntries(rnd, userKeys, 4, 64);
        byte[] file = TestTables.build(new TableOptions(blockSize, restartInterval, bloomBitsPerKey), entries);
        VersionModel model = new VersionModel(entries);
        try (TableReader t = TestTables.open(file, rnd.nextBoolean() ? new BlockCache(1 << 16, 2) : null, null)) {
            for (byte[] user : model.userKeys()) {
                for (long s : model.sequences(user)) {
                    for (long snap : new long[] {s - 1, s, s + 1, Long.MAX_VALUE}) {
                        KV want = model.get(user, snap);
                        TableReader.Entry got = t.get(user, snap);
                        assertThat(got == null).isEqualTo(want == null);
                        if (want != null) {
                            assertThat(got.internalKey()).isEqualTo(want.key());
                            assertThat(got.value()).isEqualTo(want.value());
                        }
                    }
                }
                byte[] absent = java.util.Arrays.copyOf(user, user.length + 1);
                absent[user.length] = (byte) rnd.nextInt(256);
                if (model.get(absent, Long.MAX_VALUE) == null) {
                    assertThat(t.get(absent, Long.MAX_VALUE)).isNull();
                }
            }
            try (InternalIterator it = t.iterator(rnd.nextBoolean())) {
                assertThat(TestTables.sameEntries(TestTables.scan(it), entries)).isTrue();
                for (int i = 0; i < 50; i++) {
                    byte[] target = InternalKey.encode(TestTables.randomBytes(rnd, rnd.nextInt(4)),
                            rnd.nextInt(2000), InternalKey.TYPE_SEEK);
                    it.seek(target);
                    KV want = model.ceiling(target);
                    assertThat(it.valid()).isEqualTo(want != null);
                    if (want != null) {
                        assertThat(it.key()).isEqualTo(want.key());
                    }
                }
            }
        }
    }
}

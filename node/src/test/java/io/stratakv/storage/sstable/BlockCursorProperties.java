package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** One block, many seeks: the cursor lands where a brute-force scan with InternalKey.COMPARATOR does. */
class BlockCursorProperties {

    @Property(tries = 500)
    void seekLandsOnTheFirstKeyAtOrAfterTheTarget(@ForAll long seed,
                                                  @ForAll @IntRange(min = 1, max = 40) int userKeys,
                                                  @ForAll @IntRange(min = 1, max = 20) int restartInterval) {
        Random rnd = new Random(seed);
        List<KV> entries = TestTables.randomEntries(rnd, userKeys, 3, 8);
        BlockBuilder builder = new BlockBuilder(restartInterval);
        for (KV kv : entries) {
            builder.add(kv.key(), kv.value());
        }
        int size = builder.finish();
        Block block = Block.decode(Arrays.copyOf(builder.buffer(), size), size, "b.sst", 0, BlockKind.DATA);
        BlockCursor c = BlockCursor.forInternalKeys();
        c.reset(block);

        int i = 0;
        for (c.seekToFirst(); c.valid(); c.next()) {
            assertThat(c.copyKey()).isEqualTo(entries.get(i).key());
            assertThat(c.copyValue()).isEqualTo(entries.get(i).value());
            i++;
        }
        assertThat(i).isEqualTo(entries.size());

        for (int t = 0; t < 200; t++) {
            byte[] target;
            if (rnd.nextBoolean()) {
                byte[] base = InternalKey.userKey(entries.get(rnd.nextInt(entries.size())).key());
                int cut = rnd.nextInt(base.length + 2);
                byte[] user = Arrays.copyOf(base, Math.min(cut, base.length + 1));
                if (user.length > 0 && rnd.nextBoolean()) {
                    user[user.length - 1] += (byte) (rnd.nextInt(3) - 1);
                }
                target = InternalKey.encode(user, rnd.nextInt(2000), InternalKey.TYPE_SEEK);
            } else {
                target = InternalKey.encode(TestTables.randomBytes(rnd, rnd.nextInt(5)), rnd.nextInt(2000), InternalKey.TYPE_SEEK);
            }
            c.seek(target);
            int want = 0;
            while (want < entries.size() && InternalKey.COMPARATOR.compare(entries.get(want).key(), target) < 0) {
                want++;
            }
            if (want == entries.size()) {
                assertThat(c.valid()).as("seek %s past the end", InternalKey.describe(target)).isFalse();
            } else {
                assertThat(c.valid()).isTrue();
                assertThat(c.copyKey()).as("seek %s", InternalKey.describe(target)).isEqualTo(entries.get(want).key());
            }
        }
    }
}

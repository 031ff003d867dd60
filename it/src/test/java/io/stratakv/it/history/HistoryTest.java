package io.stratakv.it.history;

import static io.stratakv.it.history.Histories.history;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

    @Test
    void pairsInvokesWithCompletionsPerProcess() {
        History h = history()
                .write(1, "x", "a")
                .read(2, "x")
                .ok(2, "a")
                .ok(1)
                .cas(2, "x", "a", "b")
                .fail(2)
                .build();
        List<Operation> ops = h.operations();
        assertThat(ops).hasSize(3);
        Operation w = ops.get(0), r = ops.get(1), c = ops.get(2);
        assertThat(w.isOk()).isTrue();
        assertThat(w.invokeNanos()).isEqualTo(0);
        assertThat(w.completeNanos()).isEqualTo(3);
        assertThat(r.value()).isEqualTo("a");
        assertThat(r.invokeNanos()).isEqualTo(1);
        assertThat(c.isFail()).isTrue();
        assertThat(c.expected()).isEqualTo("a");
        assertThat(c.value()).isEqualTo("b");
        assertThat(w.precedes(c)).isTrue();
        assertThat(w.precedes(r)).isFalse();
    }

    @Test
    void infoCompletesAtNeverAndAReadThatTimedOutCarriesNoValue() {
        History h = history().write(1, "x", "a").info(1).read(2, "x").info(2).build();
        assertThat(h.operations()).allSatisfy(o -> {
            assertThat(o.isInfo()).isTrue();
            assertThat(o.completeNanos()).isEqualTo(Operation.NEVER);
        });
        assertThat(h.operations().get(0).value()).isEqualTo("a");
        assertThat(h.operations().get(1).value()).isNull();
    }

    @Test
    void anInvokeWithoutCompletionIsUnknownWhenTheProcessMovesOnOrTheHistoryEnds() {
        HistoryRecorder rec = new HistoryRecorder();
        rec.invokeWrite(1, "x", "a", Consistency.QUORUM);        // completion dropped
        Op second = rec.invokeWrite(1, "x", "b", Consistency.QUORUM);
        rec.ok(second);
        rec.invokeRead(2, "x", Consistency.STRONG);              // still open at the end
        List<Operation> ops = rec.history().operations();
        assertThat(ops).extracting(Operation::outcome).containsExactly(OpType.INFO, OpType.OK, OpType.INFO);
    }

    @Test
    void aCompletionWithoutInvokeIsRejected() {
        Op inv = Op.invoke(1, OpFunction.WRITE, "x", "a", null, Consistency.QUORUM);
        Op done = inv.complete(OpType.OK, null, null).at(0, 5);
        assertThatThrownBy(() -> new History(List.of(done)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without an open invoke");
    }

    @Test
    void aCompletionForAnotherKeyIsRejected() {
        Op inv = Op.invoke(1, OpFunction.WRITE, "x", "a", null, Consistency.QUORUM).at(0, 1);
        Op other = Op.invoke(1, OpFunction.WRITE, "y", "a", null, Consistency.QUORUM)
                .complete(OpType.OK, null, null).at(1, 2);
        assertThatThrownBy(() -> new History(List.of(inv, other)))
                .hasMessageContaining("does not match");
    }

    @Test
    void timeGoingBackwardsIsRejected() {
        Op a = Op.invoke(1, OpFunction.READ, "x", null, null, Consistency.STRONG).at(0, 10);
        Op b = Op.invoke(2, OpFunction.READ, "x", null, null, Consistency.STRONG).at(1, 9);
        assertThatThrownBy(() -> new History(List.of(a, b))).hasMessageContaining("backwards");
    }

    @Test
    void jsonLinesRoundTripKeepsEveryFieldIncludingAbsentValues(@TempDir Path dir) {
        History h = history()
                .write(1, "x", null)
                .read(2, "x")
                .ok(2, null)
                .ok(1)
                .cas(3, "x", null, "a")
                .info(3)
                .write(4, "y", "b", Consistency.ONE)
                .fail(4)
                .build();
        Path file = dir.resolve("h.jsonl");
        HistoryFile.write(h, file);
        History back = HistoryFile.read(file);
        assertThat(back.events()).isEqualTo(h.events());
        assertThat(back.operations()).isEqualTo(h.operations());
    }

    @Test
    void aLineThatIsNotAnOpNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        java.nio.file.Files.writeString(file, "\n{\"index\":0,\"process\":1}\n");
        assertThatThrownBy(() -> HistoryFile.read(file)).hasMessageContaining("bad.jsonl:2");
    }

    @Test
    void recorderFromManyThreadsKeepsEventsInTimeOrderAndPairsEverything() throws Exception {
        HistoryRecorder rec = new HistoryRecorder();
        int threads = 8, perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger failures = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int p = t;
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        Op inv = rec.invokeWrite(p, "k" + (i % 3), p + ":" + i, Consistency.QUORUM);
                        rec.ok(inv);
                    }
                } catch (Throwable e) {
                    failures.incrementAndGet();
                }
            }));
        }
        start.countDown();
        for (Thread t : ts) t.join();
        History h = rec.history();
        assertThat(failures).hasValue(0);
        assertThat(h.size()).isEqualTo(2 * threads * perThread);
        assertThat(h.operations()).hasSize(threads * perThread).allMatch(Operation::isOk);
    }
}

package io.stratakv.it.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratakv.it.history.Consistency;
import io.stratakv.it.history.History;
import io.stratakv.it.history.HistoryFile;
import io.stratakv.it.history.HistoryRecorder;
import io.stratakv.it.history.Op;
import io.stratakv.it.history.OpFunction;
import io.stratakv.it.history.OpType;
import io.stratakv.it.history.Operation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A history recorded from a real concurrent register (a synchronized map driven by 8 client
 * threads with random delays on both sides of each operation), with some completions turned into
 * timeouts or dropped. Its verdict must be linearizable; the time taken is printed, not asserted.
 */
class ConcurrentRegisterHistoryTest {
    static final int CLIENTS = 8;
    static final int KEYS = 10;
    static final int OPERATIONS = 5_000;
    /** Per mille of operations whose completion is recorded as INFO, and dropped altogether. */
    static final int INFO_PER_MILLE = 25;
    static final int DROPPED_PER_MILLE = 15;
    static final long MAX_DELAY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    static final long SEED = 20240611L;
    static final int FINAL_READER = CLIENTS;

    static History history;

    @BeforeAll
    static void record() throws Exception {
        HistoryRecorder recorder = new HistoryRecorder();
        Map<String, String> register = new HashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < CLIENTS; p++) {
            int process = p;
            clients.add(Thread.ofPlatform().name("client-" + p).start(() -> {
                try {
                    start.await();
                    runClient(process, recorder, register, new Random(SEED + process));
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : clients) t.join();
        assertThat(errors).isEmpty();
        for (int k = 0; k < KEYS; k++) {                     // final reads, once every client stopped
            Op read = recorder.invokeRead(FINAL_READER, "k" + k, Consistency.STRONG);
            synchronized (register) {
                recorder.okRead(read, register.get("k" + k));
            }
        }
        history = recorder.history();
        Path saved = Path.of("target", "histories", "concurrent-register.jsonl");
        Files.createDirectories(saved.getParent());
        HistoryFile.write(history, saved);
    }

    private static void runClient(int process, HistoryRecorder recorder, Map<String, String> register, Random rnd) {
        Map<String, String> lastSeen = new HashMap<>();
        for (int i = 0; i < OPERATIONS / CLIENTS; i++) {
            String key = "k" + rnd.nextInt(KEYS);
            String value = process + "-" + i;
            int dice = rnd.nextInt(100);
            Op inv;
            if (dice < 40) {
                inv = recorder.invokeRead(process, key, Consistency.STRONG);
            } else if (dice < 75) {
                inv = recorder.invokeWrite(process, key, value, Consistency.QUORUM);
            } else {
                inv = recorder.invokeCas(process, key, lastSeen.get(key), value, Consistency.QUORUM);
            }
            pause(rnd);
            String read = null;
            boolean applied = true;
            synchronized (register) {
                switch (inv.function()) {
                    case READ -> read = register.get(key);
                    case WRITE -> register.put(key, value);
                    case CAS -> {
                        applied = java.util.Objects.equals(register.get(key), inv.expected());
                        if (applied) register.put(key, value);
                    }
                }
            }
            pause(rnd);
            int fate = rnd.nextInt(1000);
            if (fate < DROPPED_PER_MILLE) continue;       // the next invoke makes it INFO
            if (fate < DROPPED_PER_MILLE + INFO_PER_MILLE) {
                recorder.info(inv, "timeout");
                continue;
            }
            switch (inv.function()) {
                case READ -> {
                    recorder.okRead(inv, read);
                    lastSeen.put(key, read);
                }
                case WRITE -> {
                    recorder.ok(inv);
                    lastSeen.put(key, value);
                }
                case CAS -> {
                    if (applied) {
                        recorder.ok(inv);
                        lastSeen.put(key, value);
                    } else {
                        recorder.fail(inv, "precondition failed");
                    }
                }
            }
        }
    }

    private static void pause(Random rnd) {
        LockSupport.parkNanos(1 + (long) (rnd.nextDouble() * MAX_DELAY_NANOS));
    }

    @Test
    void historyOfARealConcurrentRegisterIsLinearizable() {
        long info = history.operations().stream().filter(Operation::isInfo).count();
        long casOk = history.operations().stream().filter(o -> o.function() == OpFunction.CAS && o.isOk()).count();
        LinearizabilityResult r = LinearizabilityChecker.withDefaults().check(history);
        System.out.printf("checked %d operations (%d INFO, %d successful CAS) over %d keys from %d clients: %s%n",
                history.operations().size(), info, casOk, KEYS, CLIENTS, r);
        assertThat(history.operations()).hasSize(OPERATIONS + KEYS);
        assertThat(info).isGreaterThan(0);
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.VALID);
    }

    @Test
    void noAcknowledgedWriteOfARealConcurrentRegisterIsLost() {
        LostWriteChecker.Result r = new LostWriteChecker().check(history, LostWriteChecker.finalReads(history));
        System.out.println("lost writes: " + r);
        assertThat(LostWriteChecker.finalReads(history)).hasSize(KEYS);
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.VALID);
    }

    @Test
    void theSameHistoryWithOneReadOfAValueNeverWrittenIsNot() {
        List<Op> events = new ArrayList<>(history.events());
        int victim = -1;
        for (int i = events.size() - 1; i >= 0; i--) {
            Op e = events.get(i);
            if (e.type() == OpType.OK && e.function() == OpFunction.READ) {
                victim = i;
                break;
            }
        }
        Op e = events.get(victim);
        events.set(victim, new Op(e.index(), e.process(), e.type(), e.function(), e.key(), "never-written", null,
                e.consistency(), e.nanos(), null));
        LinearizabilityResult r = LinearizabilityChecker.withDefaults().check(new History(events));
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.failures()).extracting(LinearizabilityResult.KeyFailure::key).containsExactly(e.key());
    }

    @Test
    void savedHistoryReadsBackToTheSameVerdict() {
        History back = HistoryFile.read(Path.of("target", "histories", "concurrent-register.jsonl"));
        assertThat(back.operations()).isEqualTo(history.operations());
        assertThat(LinearizabilityChecker.withDefaults().check(back).isValid()).isTrue();
    }
}

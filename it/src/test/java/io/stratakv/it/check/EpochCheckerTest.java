package io.stratakv.it.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class EpochCheckerTest {
    private final EpochChecker checker = new EpochChecker();

    private static EpochObservation ack(int client, long epoch, String leader, long offset, String writeId) {
        return new EpochObservation(client, "ks/0", epoch, leader, offset, writeId, true);
    }

    @Test
    void cleanFailoverIsValid() {
        List<EpochObservation> obs = List.of(
                ack(1, 1, "n1", 1, "w1"),
                ack(2, 1, "n1", 2, "w2"),
                ack(1, 2, "n2", 4, "w3"),
                ack(2, 2, "n2", 5, "w4"),
                new EpochObservation(1, "ks/1", 7, "n3", 1, "w5", true));
        assertThat(checker.check(obs).isValid()).isTrue();
    }

    @Test
    void twoLeadersAcceptedWritesInOneEpoch() {
        // A leader latch that produced two leaders after session expiry (CURATOR-696).
        EpochChecker.Result r = checker.check(List.of(
                ack(1, 3, "n1", 10, "w1"),
                ack(2, 3, "n2", 11, "w2"),
                ack(1, 3, "n2", 12, "w3")));
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.violations()).singleElement().isInstanceOfSatisfying(EpochChecker.TwoLeadersInOneEpoch.class,
                v -> {
                    assertThat(v.epoch()).isEqualTo(3);
                    assertThat(List.of(v.first().leader(), v.second().leader())).containsExactly("n1", "n2");
                });
    }

    @Test
    void sameNodeLeadingTwoEpochsIsFine() {
        assertThat(checker.check(List.of(ack(1, 1, "n1", 1, "w1"), ack(1, 2, "n1", 3, "w2"))).isValid()).isTrue();
    }

    @Test
    void deposedLeaderAcceptedAWriteAfterTheClientSawANewerEpoch() {
        // An old broker kept writing after its session expired (apache/bookkeeper#4462).
        EpochChecker.Result r = checker.check(List.of(
                ack(1, 4, "n2", 20, "w1"),
                new EpochObservation(1, "ks/0", 3, "n1", 21, "w2", false)));
        assertThat(r.violations()).singleElement().isInstanceOfSatisfying(EpochChecker.EpochWentBackwards.class,
                v -> {
                    assertThat(v.client()).isEqualTo(1);
                    assertThat(v.before().epoch()).isEqualTo(4);
                    assertThat(v.after().epoch()).isEqualTo(3);
                });
    }

    @Test
    void differentClientsMaySeeEpochsInAnyOrderAcrossClients() {
        assertThat(checker.check(List.of(ack(1, 5, "n2", 30, "w1"), ack(2, 4, "n1", 29, "w2"))).isValid()).isTrue();
    }

    @Test
    void laterEpochCommittedAWriteAtAnOffsetAlreadyCommitted() {
        // A follower truncated a committed entry and a second failover lost it (Kafka KIP-101).
        EpochChecker.Result r = checker.check(List.of(
                ack(1, 1, "n1", 7, "w1"),
                ack(2, 2, "n2", 7, "w2")));
        assertThat(r.violations()).singleElement().isInstanceOf(EpochChecker.CommittedOffsetTakenBack.class);
    }

    @Test
    void laterEpochCommittedBelowTheHighestCommittedOffset() {
        EpochChecker.Result r = checker.check(List.of(
                ack(1, 1, "n1", 5, "w1"),
                ack(1, 1, "n1", 7, "w2"),
                ack(2, 2, "n2", 6, "w3")));
        assertThat(r.violations()).singleElement().isInstanceOf(EpochChecker.CommittedOffsetTakenBack.class);
    }

    @Test
    void twoWritesCommittedAtOneOffsetInOneEpoch() {
        EpochChecker.Result r = checker.check(List.of(ack(1, 1, "n1", 5, "w1"), ack(2, 1, "n1", 5, "w2")));
        assertThat(r.violations()).singleElement().isInstanceOf(EpochChecker.CommittedOffsetTakenBack.class);
    }

    @Test
    void retryRecognisedByANewLeaderAtItsOriginalOffsetIsFine() {
        assertThat(checker.check(List.of(
                ack(1, 1, "n1", 5, "w1"),
                ack(1, 1, "n1", 6, "w2"),
                ack(1, 2, "n2", 5, "w1"),
                ack(1, 2, "n2", 9, "w3"))).isValid()).isTrue();
    }

    @Test
    void uncommittedAcknowledgementsAtOneMayBeTakenBack() {
        assertThat(checker.check(List.of(
                new EpochObservation(1, "ks/0", 1, "n1", 5, "w1", false),
                ack(2, 2, "n2", 5, "w2"))).isValid()).isTrue();
    }
}

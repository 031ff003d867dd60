package io.stratakv.node.replica;

import io.stratakv.node.replication.SnapshotStream;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.lsm.CheckpointInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The snapshot stream and its install, on real files: every corrupted byte is rejected, hostile
 * names never land outside the target, and an install cut short at any step leaves the old store
 * or the new one, whole, after recovery.
 */
class SnapshotFilesTest {

    static final int KEYS = 200;

    @TempDir
    Path tmp;

    StoreOptions options() {
        return StoreOptions.defaults().withMemtableBytes(1 << 20);
    }

    /** A store whose keys are prefix-i = prefix-value-i, written at epoch, applied and (if flush) in tables. */
    PartitionStore store(Path dir, String prefix, long epoch, boolean flush) {
        PartitionStore s = PartitionStore.open(RealFs.INSTANCE, dir, options(), null);
        s.setEpoch(epoch);
        for (int i = 0; i < KEYS; i++) {
            s.put(bytes(prefix + "-" + i), bytes(prefix + "-value-" + i));
        }
        if (flush) {
            s.flush();
        }
        return s;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A snapshot stream of a store holding keys new-*, as a leader at epoch 5 would send it. */
    byte[] newSnapshot(Path work) throws IOException {
        Path src = work.resolve("leader");
        CheckpointInfo cp;
        long epoch;
        try (PartitionStore s = store(src, "new", 3, false)) {
            cp = s.checkpoint(work.resolve("cp"));
            epoch = s.log().latestEpoch();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(cp.dir())) {
            List<String> all = files.map(p -> p.getFileName().toString()).sorted().toList();
            all.stream().filter(n -> n.endsWith(".sst")).forEach(names::add);
            all.stream().filter(n -> n.startsWith("MANIFEST-")).forEach(names::add);
            names.add("CURRENT");
        }
        SnapshotStream.Header h = new SnapshotStream.Header("kv", 0, 5, cp.appliedLogOffset(), epoch, names.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotStream.write(out, h, cp.dir(), names);
        return out.toByteArray();
    }

    @Test
    void aStreamRoundTripsIntoAStoreThatOpensAtTheSnapshotOffset() throws Exception {
        byte[] stream = newSnapshot(tmp.resolve("w"));
        Path p = tmp.resolve("kv").resolve("0");
        store(p, "old", 1, false).close();
        Path lsm = SnapshotInstaller.beginStaging(p);
        SnapshotStream.Header h = SnapshotStream.read(new ByteArrayInputStream(stream), RealFs.INSTANCE, lsm, 1 << 30);
        assertThat(h.snapshotOffset()).isEqualTo(KEYS - 1);
        assertThat(h.snapshotEpoch()).isEqualTo(3);
        SnapshotInstaller.completeStaging(p, h, options());
        SnapshotInstaller.install(p, s -> { });
        assertThat(Files.exists(SnapshotInstaller.staging(p))).isFalse();
        assertThat(Files.exists(SnapshotInstaller.replaced(p))).isFalse();
        try (PartitionStore s = PartitionStore.open(RealFs.INSTANCE, p, options(), null, null, false)) {
            assertThat(s.log().startOffset()).isEqualTo(KEYS);
            assertThat(s.log().endOffset()).isEqualTo(KEYS);
            assertThat(s.log().latestEpoch()).isEqualTo(3);
            assertThat(s.commitEnd()).isEqualTo(KEYS);
            assertThat(s.get(bytes("new-7"))).isEqualTo(bytes("new-value-7"));
            assertThat(s.get(bytes("old-7"))).isNull();
        }
    }

    /** Decodes a stream by hand, field by field, as SNAPSHOT_FORMAT.md describes it. */
    @Test
    void theStreamIsWhatSnapshotFormatMdSays() throws Exception {
        byte[] stream = newSnapshot(tmp.resolve("w"));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(stream);
        assertThat(b.getInt()).isEqualTo(0x534B564E);
        assertThat(b.get()).isEqualTo((byte) 1);
        byte[] ks = new byte[b.getShort()];
        b.get(ks);
        assertThat(new String(ks, StandardCharsets.UTF_8)).isEqualTo("kv");
        assertThat(b.getInt()).isZero();
        assertThat(b.getLong()).isEqualTo(5);
        assertThat(b.getLong()).isEqualTo(KEYS - 1);
        assertThat(b.getLong()).isEqualTo(3);
        int files = b.getInt();
        java.util.zip.CRC32C hc = new java.util.zip.CRC32C();
        hc.update(stream, 0, b.position());
        assertThat(b.getInt()).isEqualTo((int) hc.getValue());
        List<String> names = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < files; i++) {
            byte[] name = new byte[b.getShort()];
            b.get(name);
            names.add(new String(name, StandardCharsets.UTF_8));
            long size = b.getLong();
            java.util.zip.CRC32C fc = new java.util.zip.CRC32C();
            fc.update(stream, b.position(), (int) size);
            b.position(b.position() + (int) size);
            assertThat(b.getInt()).isEqualTo((int) fc.getValue());
            total += size;
        }
        assertThat(names.getFirst()).matches("[0-9]{6}\\.sst");
        assertThat(names.getLast()).isEqualTo("CURRENT");
        assertThat(names).anyMatch(n -> n.startsWith("MANIFEST-"));
        assertThat(b.getInt()).isEqualTo(0x534B5654);
        assertThat(b.getLong()).isEqualTo(total);
        java.util.zip.CRC32C sc = new java.util.zip.CRC32C();
        sc.update(stream, 0, b.position());
        assertThat(b.getInt()).isEqualTo((int) sc.getValue());
        assertThat(b.remaining()).isZero();
    }

    @Test
    void everyCorruptedByteIsRejected() throws Exception {
        byte[] stream = newSnapshot(tmp.resolve("w"));
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < Math.min(200, stream.length); i++) {
            positions.add(i); // header, the first file's frame
        }
        for (int i = 200; i < stream.length; i += Math.max(1, stream.length / 300)) {
            positions.add(i);
        }
        for (int i = Math.max(0, stream.length - 24); i < stream.length; i++) {
            positions.add(i); // last file's checksum, trailer, stream checksum
        }
        int n = 0;
        for (int pos : positions) {
            byte[] bad = stream.clone();
            bad[pos] ^= (byte) 0xFF;
            Path target = tmp.resolve("t" + n++);
            Files.createDirectories(target);
            assertThatThrownBy(() -> SnapshotStream.read(new ByteArrayInputStream(bad), RealFs.INSTANCE, target, 1 << 30))
                    .as("byte %d of %d flipped", pos, stream.length).isInstanceOf(IOException.class);
        }
        byte[] cut = java.util.Arrays.copyOf(stream, stream.length - 1);
        Path target = tmp.resolve("cut");
        Files.createDirectories(target);
        assertThatThrownBy(() -> SnapshotStream.read(new ByteArrayInputStream(cut), RealFs.INSTANCE, target, 1 << 30))
                .isInstanceOf(SnapshotStream.MalformedSnapshot.class);
    }

    @Test
    void aNameWithAPathIsRefusedBeforeAnythingIsWritten() throws Exception {
        // A hand-made stream whose only file is named ../CURRENT (the zip-slip class).
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(raw);
        byte[] head = SnapshotStream.encodeHeader(new SnapshotStream.Header("kv", 0, 1, 0, 1, 1));
        out.write(head);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(head);
        out.writeInt((int) c.getValue());
        byte[] name = bytes("../CURRENT");
        out.writeShort(name.length);
        out.write(name);
        out.writeLong(4);
        out.write(bytes("evil"));
        Path target = tmp.resolve("a").resolve("lsm");
        Files.createDirectories(target);
        assertThatThrownBy(() -> SnapshotStream.read(new ByteArrayInputStream(raw.toByteArray()), RealFs.INSTANCE, target,
                1 << 30)).isInstanceOf(SnapshotStream.MalformedSnapshot.class).hasMessageContaining("not a name");
        assertThat(Files.exists(tmp.resolve("a").resolve("CURRENT"))).isFalse();
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.count()).isZero();
        }
    }

    /** Cuts the install short at each step (as a process crash would), recovers, opens: old or new, whole. */
    @Test
    void anInstallCutShortAtAnyStepLeavesTheOldStoreOrTheNewOne() throws Exception {
        byte[] stream = newSnapshot(tmp.resolve("w"));
        List<String> outcomes = new ArrayList<>();
        for (SnapshotInstaller.Step crashAt : SnapshotInstaller.Step.values()) {
            Path p = tmp.resolve("case-" + crashAt).resolve("0");
            store(p, "old", 1, true).close();
            Path lsm = SnapshotInstaller.beginStaging(p);
            SnapshotStream.Header h = SnapshotStream.read(new ByteArrayInputStream(stream), RealFs.INSTANCE, lsm, 1 << 30);
            SnapshotInstaller.completeStaging(p, h, options());
            try {
                SnapshotInstaller.install(p, step -> {
                    if (step == crashAt) {
                        throw new IllegalStateException("crash at " + step);
                    }
                });
            } catch (IllegalStateException expected) {
                // the process "died" here
            }
            SnapshotInstaller.recover(p);
            assertThat(Files.exists(SnapshotInstaller.staging(p))).isFalse();
            assertThat(Files.exists(SnapshotInstaller.replaced(p))).isFalse();
            try (PartitionStore s = PartitionStore.open(RealFs.INSTANCE, p, options(), null, null, true)) {
                boolean isNew = s.get(bytes("new-0")) != null;
                for (int i = 0; i < KEYS; i++) {
                    assertThat(s.get(bytes("new-" + i)) != null).as("new-%d after crash at %s", i, crashAt).isEqualTo(isNew);
                    assertThat(s.get(bytes("old-" + i)) != null).as("old-%d after crash at %s", i, crashAt).isEqualTo(!isNew);
                }
                outcomes.add(crashAt + "=" + (isNew ? "new" : "old"));
            }
        }
        // Before the first rename: old; once the old store moved aside the complete staging wins.
        assertThat(outcomes).containsExactly("STAGED=old", "OLD_MOVED_ASIDE=new", "NEW_MOVED_IN=new", "OLD_DELETED=new");
    }

    @Test
    void anIncompleteStagingIsDroppedAtRecovery() throws Exception {
        byte[] stream = newSnapshot(tmp.resolve("w"));
        Path p = tmp.resolve("kv").resolve("0");
        store(p, "old", 1, true).close();
        Path lsm = SnapshotInstaller.beginStaging(p);
        // The transfer died half way: half the stream arrived, no marker.
        byte[] half = java.util.Arrays.copyOf(stream, stream.length / 2);
        assertThatThrownBy(() -> SnapshotStream.read(new ByteArrayInputStream(half), RealFs.INSTANCE, lsm, 1 << 30))
                .isInstanceOf(IOException.class);
        assertThat(SnapshotInstaller.recover(p)).contains("incomplete");
        assertThat(Files.exists(SnapshotInstaller.staging(p))).isFalse();
        try (PartitionStore s = PartitionStore.open(RealFs.INSTANCE, p, options(), null, null, true)) {
            assertThat(s.get(bytes("old-3"))).isEqualTo(bytes("old-value-3"));
        }
    }

    @Test
    void aStagedStoreThatDoesNotMatchItsHeaderIsRefused() throws Exception {
        byte[] stream = newSnapshot(tmp.resolve("w"));
        Path p = tmp.resolve("kv").resolve("0");
        Files.createDirectories(p);
        Path lsm = SnapshotInstaller.beginStaging(p);
        SnapshotStream.Header h = SnapshotStream.read(new ByteArrayInputStream(stream), RealFs.INSTANCE, lsm, 1 << 30);
        SnapshotStream.Header lying = new SnapshotStream.Header(h.keyspace(), h.partitionId(), h.leaderEpoch(),
                h.snapshotOffset() + 10, h.snapshotEpoch(), h.fileCount());
        assertThatThrownBy(() -> SnapshotInstaller.completeStaging(p, lying, options())).isInstanceOf(RuntimeException.class);
        assertThat(Files.exists(SnapshotInstaller.staging(p).resolve(SnapshotInstaller.COMPLETE_MARKER))).isFalse();
    }
}

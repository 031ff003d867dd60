package io.stratakv.storage;

import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.lsm.LsmTree;
import io.stratakv.storage.log.FsyncPolicy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoders fed random and mutated bytes throw nothing but a typed {@link CorruptionException} (or
 * a {@link StorageException} for the manifest, which may also find a file missing).
 */
class DecoderFuzzProperties {

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(300);
    }

    @Property(tries = 3000)
    void mutationDecoderThrowsOnlyCorruption(@ForAll("bytes") byte[] input) {
        try {
            Mutation m = Mutation.decode(input, "fuzz", 0);
            assertThat(Mutation.decode(m.encode(), "fuzz", 0).key()).isEqualTo(m.key());
        } catch (CorruptionException expected) {
            assertThat(expected.code()).isEqualTo(StorageErrorCode.CORRUPTION);
        }
    }

    @Property(tries = 500)
    void mutatedValidMutationsDecodeOrFailTyped(@ForAll("bytes") byte[] key, @ForAll("bytes") byte[] value,
                                                 @ForAll int flipAt, @ForAll byte flip) {
        byte[] enc = Mutation.put(key.length == 0 ? new byte[]{1} : key, value).encode();
        enc[Math.floorMod(flipAt, enc.length)] ^= flip;
        try {
            Mutation.decode(enc, "fuzz", 0);
        } catch (CorruptionException expected) {
            // typed
        }
    }

    @Property(tries = 300)
    void manifestReaderThrowsOnlyTypedErrors(@ForAll("bytes") byte[] garbage, @ForAll int flipAt, @ForAll boolean mutateReal) throws Exception {
        StorageFs fs = new CrashSimulatingFs();
        Path dir = Path.of("/db");
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        String manifestName;
        try (LsmTree tree = LsmTree.open(fs, dir, opts)) {
            tree.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), 0);
            tree.flush();
        }
        manifestName = new String(fs.readAll(dir.resolve("CURRENT")), StandardCharsets.UTF_8).trim();
        byte[] contents = fs.readAll(dir.resolve(manifestName));
        if (mutateReal && contents.length > 0) {
            contents[Math.floorMod(flipAt, contents.length)] ^= (byte) (1 + Math.floorMod(flipAt, 255));
        } else {
            contents = garbage;
        }
        try (var out = fs.create(dir.resolve(manifestName))) {
            out.append(java.nio.ByteBuffer.wrap(contents));
            out.sync();
        }
        try (LsmTree tree = LsmTree.open(fs, dir, opts)) {
            tree.get("k".getBytes(StandardCharsets.UTF_8));
        } catch (StorageException expected) {
            assertThat(expected.code()).isIn(StorageErrorCode.CORRUPTION, StorageErrorCode.IO_ERROR);
        }
    }
}

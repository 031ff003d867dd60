package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;

/**
 * What a table holds, from its properties block: counts for compaction decisions and the key
 * range for placing the file in a level. Keys are internal keys.
 *
 * @param entryCount     entries (puts and tombstones)
 * @param deletionCount  tombstones among them
 * @param dataBlockCount data blocks
 * @param rawKeyBytes    sum of internal key lengths before prefix compression
 * @param rawValueBytes  sum of value lengths
 * @param smallestKey    first internal key
 * @param largestKey     last internal key
 * @param formatVersion  the table format version
 */
public record TableProperties(long entryCount, long deletionCount, long dataBlockCount, long rawKeyBytes,
                              long rawValueBytes, byte[] smallestKey, byte[] largestKey, int formatVersion) {

    @Override
    public String toString() {
        return "TableProperties[entries=" + entryCount + ", deletions=" + deletionCount + ", dataBlocks=" + dataBlockCount
                + ", rawKeyBytes=" + rawKeyBytes + ", rawValueBytes=" + rawValueBytes
                + ", smallest=" + InternalKey.describe(smallestKey) + ", largest=" + InternalKey.describe(largestKey)
                + ", version=" + formatVersion + "]";
    }
}

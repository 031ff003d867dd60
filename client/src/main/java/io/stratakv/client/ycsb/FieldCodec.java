package io.stratakv.client.ycsb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A YCSB record (field name → bytes) as one StrataKV value: a compact length-prefixed map.
 *
 * <pre>
 * record := count:varint (field)*count
 * field  := nameLength:varint name:UTF-8 valueLength:varint value:bytes
 * </pre>
 * Varints are unsigned LEB128 (7 bits per byte, low bits first, at most 5 bytes). Field order is
 * the map's iteration order; a name appears at most once. Ten 100-byte fields with YCSB's
 * {@code field0..field9} names cost 10 × (1 + 6 + 1) + 1 = 81 bytes over the raw values.
 */
public final class FieldCodec {

    private FieldCodec() {
    }

    public static byte[] encode(Map<String, byte[]> fields) {
        int size = 5;
        for (Map.Entry<String, byte[]> e : fields.entrySet()) {
            size += 10 + e.getKey().length() * 3 + e.getValue().length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        writeVarint(out, fields.size());
        for (Map.Entry<String, byte[]> e : fields.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            writeVarint(out, name.length);
            out.writeBytes(name);
            writeVarint(out, e.getValue().length);
            out.writeBytes(e.getValue());
        }
        return out.toByteArray();
    }

    /** Decodes a record; throws IllegalArgumentException if the bytes are not one (truncated, trailing bytes, a duplicate name). */
    public static Map<String, byte[]> decode(byte[] bytes) {
        int[] pos = {0};
        int count = readVarint(bytes, pos);
        Map<String, byte[]> out = new LinkedHashMap<>(Math.min(count, 1024) * 2);
        for (int i = 0; i < count; i++) {
            int nameLength = readVarint(bytes, pos);
            String name = new String(take(bytes, pos, nameLength), StandardCharsets.UTF_8);
            byte[] value = take(bytes, pos, readVarint(bytes, pos));
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException("field '" + name + "' appears twice");
            }
        }
        if (pos[0] != bytes.length) {
            throw new IllegalArgumentException((bytes.length - pos[0]) + " bytes after the last field");
        }
        return out;
    }

    private static void writeVarint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static int readVarint(byte[] b, int[] pos) {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos[0] >= b.length) {
                throw new IllegalArgumentException("truncated record at byte " + pos[0]);
            }
            int x = b[pos[0]++] & 0xff;
            v |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                if (v < 0) {
                    throw new IllegalArgumentException("length " + Integer.toUnsignedString(v) + " too large");
                }
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 5 bytes at byte " + pos[0]);
    }

    private static byte[] take(byte[] b, int[] pos, int n) {
        if (n > b.length - pos[0]) {
            throw new IllegalArgumentException("field of " + n + " bytes runs past the end at byte " + pos[0]);
        }
        byte[] out = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + n);
        pos[0] += n;
        return out;
    }
}

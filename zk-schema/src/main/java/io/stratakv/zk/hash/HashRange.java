package io.stratakv.zk.hash;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A contiguous range of positions on the 64-bit hash ring, <b>both ends inclusive</b>, read as
 * unsigned: {@code [start, end]} with {@code start <= end} (unsigned). Inclusive ends make the
 * whole ring representable ({@link #full()} is {@code [0x0000000000000000, 0xffffffffffffffff]})
 * and make a single-position range a valid range; there is no empty range and no wrap-around.
 *
 * <p>The partitions of a keyspace hold ranges that cover the ring exactly (see
 * {@link #coversExactly}); splitting a partition halves its range, so only keys in that range
 * change partition.
 *
 * <p>JSON: {@code {"start":"0x0000000000000000","end":"0x7fffffffffffffff"}}, each end as
 * {@code 0x} and exactly 16 hex digits (lower-case when written, either case when read), so the
 * unsigned value is readable in {@code zkCli.sh get} and survives JSON readers that parse
 * numbers as doubles.
 */
@JsonSerialize(using = HashRange.Json.Writer.class)
@JsonDeserialize(using = HashRange.Json.Reader.class)
public record HashRange(long start, long end) {

    /** The largest position, 2^64 - 1, as a signed long. */
    public static final long MAX_POSITION = -1L;

    private static final BigInteger RING_SIZE = BigInteger.ONE.shiftLeft(64);
    private static final HashRange FULL = new HashRange(0L, MAX_POSITION);

    public HashRange {
        if (Long.compareUnsigned(start, end) > 0) {
            throw new IllegalArgumentException("hash range start " + hex(start) + " is above its end " + hex(end));
        }
    }

    /** The whole ring, {@code [0, 2^64 - 1]}. */
    public static HashRange full() {
        return FULL;
    }

    /** Whether the unsigned position {@code hash} lies in this range. */
    public boolean contains(long hash) {
        return Long.compareUnsigned(start, hash) <= 0 && Long.compareUnsigned(hash, end) <= 0;
    }

    /** The number of positions in the range, from 1 to 2^64. */
    public BigInteger size() {
        return new BigInteger(Long.toUnsignedString(end - start)).add(BigInteger.ONE);
    }

    /** Whether the range holds exactly one position (and so cannot be split). */
    public boolean isSinglePosition() {
        return start == end;
    }

    /**
     * The two halves of this range: {@code lower = [start, mid]} and {@code upper = [mid + 1, end]}
     * with {@code mid = start + (end - start) / 2} (unsigned), so the lower half is the larger by
     * one position when the size is odd. This is the split rule of every partition split: it must
     * not change, or replicas that split at different versions would disagree.
     *
     * @throws IllegalStateException if the range holds a single position
     */
    public Halves split() {
        if (isSinglePosition()) {
            throw new IllegalStateException("cannot split the single-position hash range " + this);
        }
        long mid = start + ((end - start) >>> 1);
        return new Halves(new HashRange(start, mid), new HashRange(mid + 1, end));
    }

    /** The two halves of a split range, in ring order. */
    public record Halves(HashRange lower, HashRange upper) {
        public List<HashRange> asList() {
            return List.of(lower, upper);
        }
    }

    /**
     * {@code n} contiguous ranges that cover the ring exactly, in order; range {@code i} starts at
     * {@code floor(i * 2^64 / n)}, so sizes differ by at most one. This is the initial layout of a
     * keyspace of {@code n} partitions: it must not change either.
     */
    public static List<HashRange> partitionsOf(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a keyspace needs at least one partition, got " + n);
        }
        List<HashRange> ranges = new ArrayList<>(n);
        BigInteger count = BigInteger.valueOf(n);
        long start = 0;
        for (int i = 1; i <= n; i++) {
            long nextStart = RING_SIZE.multiply(BigInteger.valueOf(i)).divide(count).longValue(); // 2^64 wraps to 0
            ranges.add(new HashRange(start, nextStart - 1));
            start = nextStart;
        }
        return List.copyOf(ranges);
    }

    /**
     * Whether {@code ranges}, in the given order, cover the ring exactly: the first starts at 0,
     * each next one starts right after the previous ends (no gap, no overlap), the last ends at
     * 2^64 - 1. An empty list covers nothing.
     */
    public static boolean coversExactly(List<HashRange> ranges) {
        if (ranges.isEmpty() || ranges.getFirst().start != 0) {
            return false;
        }
        for (int i = 1; i < ranges.size(); i++) {
            long prevEnd = ranges.get(i - 1).end;
            if (prevEnd == MAX_POSITION || ranges.get(i).start != prevEnd + 1) {
                return false;
            }
        }
        return ranges.getLast().end == MAX_POSITION;
    }

    /**
     * The index of the range in {@code sorted} that contains {@code hash}, by binary search; -1 if
     * none does. {@code sorted} must be in ring order without overlaps (as after
     * {@link #coversExactly}); gaps are allowed.
     */
    public static int find(List<HashRange> sorted, long hash) {
        int lo = 0;
        int hi = sorted.size() - 1;
        // Find the last range whose start is <= hash.
        int candidate = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(sorted.get(mid).start, hash) <= 0) {
                candidate = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return candidate >= 0 && Long.compareUnsigned(hash, sorted.get(candidate).end) <= 0 ? candidate : -1;
    }

    /** {@code 0x} and 16 lower-case hex digits: the form used in JSON, logs and the docs. */
    public static String hex(long position) {
        return String.format(Locale.ROOT, "0x%016x", position);
    }

    /** Parses {@link #hex(long)}'s form ({@code 0x} + exactly 16 hex digits, either case). */
    public static long parseHex(String text) {
        if (text == null || text.length() != 18 || !(text.startsWith("0x") || text.startsWith("0X"))) {
            throw new IllegalArgumentException("hash position '" + text + "' must be 0x followed by 16 hex digits");
        }
        for (int i = 2; i < 18; i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("hash position '" + text + "' must be 0x followed by 16 hex digits");
            }
        }
        return Long.parseUnsignedLong(text, 2, 18, 16);
    }

    @Override
    public String toString() {
        return "[" + hex(start) + ", " + hex(end) + "]";
    }

    static final class Json {
        private Json() {
        }

        static final class Writer extends StdSerializer<HashRange> {
            Writer() {
                super(HashRange.class);
            }

            @Override
            public void serialize(HashRange r, JsonGenerator g, SerializerProvider provider) throws IOException {
                g.writeStartObject();
                g.writeStringField("start", hex(r.start));
                g.writeStringField("end", hex(r.end));
                g.writeEndObject();
            }
        }

        static final class Reader extends StdDeserializer<HashRange> {
            Reader() {
                super(HashRange.class);
            }

            @Override
            public HashRange deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    return (HashRange) ctxt.handleUnexpectedToken(HashRange.class, p);
                }
                String start = null;
                String end = null;
                for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "start" -> start = expectString(p, ctxt, value, field);
                        case "end" -> end = expectString(p, ctxt, value, field);
                        default -> p.skipChildren(); // tolerated, like unknown fields elsewhere
                    }
                }
                if (start == null || end == null) {
                    return (HashRange) ctxt.reportInputMismatch(HashRange.class,
                            "hash range needs both \"start\" and \"end\" (0x + 16 hex digits)");
                }
                try {
                    return new HashRange(parseHex(start), parseHex(end));
                } catch (IllegalArgumentException e) {
                    return (HashRange) ctxt.reportInputMismatch(HashRange.class, "invalid hash range: %s", e.getMessage());
                }
            }

            private static String expectString(JsonParser p, DeserializationContext ctxt, JsonToken t, String field)
                    throws IOException {
                if (t != JsonToken.VALUE_STRING) {
                    ctxt.reportInputMismatch(HashRange.class,
                            "hash range \"%s\" must be a string like \"0x0000000000000000\", got %s", field, t);
                }
                return p.getText();
            }
        }
    }
}

package io.stratakv.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a scan reads: every key with a prefix, or the keys in {@code [start, end)} (no end: to the
 * last key), in key order across partitions. {@code limit} caps the entries the whole scan
 * returns; {@code pageSize} is how many one request asks for.
 */
public final class Scan {

    /** Entries per request unless set: the balancer's default page. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    private final byte[] prefix;
    private final byte[] start;
    private final byte[] end;
    private final long limit;
    private final int pageSize;

    private Scan(byte[] prefix, byte[] start, byte[] end, long limit, int pageSize) {
        this.prefix = prefix;
        this.start = start;
        this.end = end;
        this.limit = limit;
        this.pageSize = pageSize;
    }

    /** Every key that starts with {@code prefix} (an empty prefix: every key). */
    public static Scan prefix(byte[] prefix) {
        return new Scan(prefix.clone(), null, null, -1, DEFAULT_PAGE_SIZE);
    }

    public static Scan prefix(String prefix) {
        return prefix(prefix.getBytes(StandardCharsets.UTF_8));
    }

    /** Keys from {@code start} (inclusive) to {@code end} (exclusive). */
    public static Scan range(byte[] start, byte[] end) {
        return new Scan(null, start.clone(), end.clone(), -1, DEFAULT_PAGE_SIZE);
    }

    public static Scan range(String start, String end) {
        return range(start.getBytes(StandardCharsets.UTF_8), end.getBytes(StandardCharsets.UTF_8));
    }

    /** Keys from {@code start} (inclusive) to the last key. */
    public static Scan from(byte[] start) {
        return new Scan(null, start.clone(), null, -1, DEFAULT_PAGE_SIZE);
    }

    /** At most {@code n} entries in all. */
    public Scan limit(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit " + n + " must be at least 1");
        }
        return new Scan(prefix, start, end, n, pageSize);
    }

    /** Entries asked for per request. */
    public Scan pageSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("pageSize " + n + " must be at least 1");
        }
        return new Scan(prefix, start, end, limit, n);
    }

    public Optional<byte[]> prefix() {
        return Optional.ofNullable(prefix).map(byte[]::clone);
    }

    public Optional<byte[]> start() {
        return Optional.ofNullable(start).map(byte[]::clone);
    }

    public Optional<byte[]> end() {
        return Optional.ofNullable(end).map(byte[]::clone);
    }

    public OptionalLong limit() {
        return limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit);
    }

    public int pageSize() {
        return pageSize;
    }

    /** The query string of one page (without limit and continuation). */
    String query() {
        if (prefix != null) {
            return "prefix=" + Wire.percentEncode(prefix);
        }
        String q = "start=" + Wire.percentEncode(start);
        return end == null ? q : q + "&end=" + Wire.percentEncode(end);
    }
}

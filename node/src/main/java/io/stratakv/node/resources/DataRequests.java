package io.stratakv.node.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.stratakv.node.config.LimitsFactory;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.zk.contract.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** Parsing and answering shared by the data servlets: parameters, bodies, headers (node/README.md). */
final class DataRequests {

    static final String POSITION = "X-Strata-Position";
    static final String VERSION = "X-Strata-Version";
    static final String APPLIED = "X-Strata-Applied";
    static final String COMMIT_HEARD = "X-Strata-Commit-Heard";
    static final String REQUEST_ID = "X-Request-Id";
    static final int MAX_REQUEST_ID_BYTES = 128;
    /**
     * How long a follower waits to apply a SESSION read's position before it answers NOT_LEADER: one
     * fetch round trip on loopback is a few ms, so this covers the usual "write then read at once".
     */
    static final long SESSION_FOLLOWER_WAIT_NANOS = 50_000_000L;

    private final LimitsFactory limits;

    DataRequests(LimitsFactory limits) {
        this.limits = limits;
    }

    LimitsFactory limits() {
        return limits;
    }

    static ReplicaException invalid(String reason, String message) {
        return new ReplicaException(ErrorCode.INVALID_ARGUMENT, message, Map.of("reason", reason));
    }

    long epoch(HttpServletRequest req) {
        String e = req.getParameter("epoch");
        if (e == null) {
            return 0;
        }
        long v = parseLong(e, "epoch");
        if (v < 1) {
            throw invalid("bad_epoch", "epoch '" + e + "' must be a positive integer");
        }
        return v;
    }

    long deadline(HttpServletRequest req) {
        long ms = limits.getRequestTimeout().toMilliseconds();
        String t = req.getParameter("timeoutMs");
        if (t != null) {
            try {
                ms = Long.parseLong(t);
            } catch (NumberFormatException e) {
                ms = -1;
            }
            if (ms < 1 || ms > limits.getMaxRequestTimeout().toMilliseconds()) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "timeoutMs '" + t + "' must be 1.."
                        + limits.getMaxRequestTimeout().toMilliseconds());
            }
        }
        return System.nanoTime() + ms * 1_000_000L;
    }

    /** {@code ifVersion=N}: -1 when absent. */
    static long ifVersion(HttpServletRequest req) {
        String v = req.getParameter("ifVersion");
        if (v == null) {
            return -1;
        }
        long n = parseLong(v, "ifVersion");
        if (n < 0) {
            throw invalid("bad_if_version", "ifVersion '" + v + "' must be a non-negative integer");
        }
        return n;
    }

    static long parseLong(String s, String name) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw invalid("bad_" + name.toLowerCase(Locale.ROOT), name + " '" + s + "' is not an integer");
        }
    }

    /** A SESSION read's position, {@code <epoch>:<offset>}, from position= or the X-Strata-Position header: the offset. */
    static long position(HttpServletRequest req) {
        String p = req.getParameter("position");
        if (p == null) {
            p = req.getHeader(POSITION);
        }
        if (p == null) {
            throw invalid("missing_position", "a SESSION read needs position=<epoch>:<offset> (or the "
                    + POSITION + " header) from the client's last write");
        }
        int colon = p.indexOf(':');
        try {
            long epoch = Long.parseLong(p.substring(0, Math.max(colon, 0)));
            long offset = Long.parseLong(p.substring(colon + 1));
            if (colon < 0 || epoch < 0 || offset < 0) {
                throw new NumberFormatException();
            }
            return offset;
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw invalid("bad_position", "position '" + p + "' is not <epoch>:<offset>");
        }
    }

    static void setPosition(HttpServletResponse resp, Replica.WriteResult w) {
        resp.setHeader(POSITION, w.epoch() + ":" + w.offset());
    }

    static void setStaleness(HttpServletResponse resp, Replica replica) {
        Replica.Staleness s = replica.staleness();
        resp.setHeader(APPLIED, Long.toString(s.applied()));
        resp.setHeader(COMMIT_HEARD, Long.toString(s.commitHeard()));
    }

    /** The X-Request-Id header's bytes, or null. */
    static byte[] requestId(HttpServletRequest req) {
        String rid = req.getHeader(REQUEST_ID);
        if (rid == null || rid.isEmpty()) {
            return null;
        }
        byte[] id = rid.getBytes(StandardCharsets.UTF_8);
        if (id.length > MAX_REQUEST_ID_BYTES) {
            throw invalid("request_id_too_long", REQUEST_ID + " over " + MAX_REQUEST_ID_BYTES + " bytes");
        }
        return id;
    }

    /**
     * An oversized body up to this many bytes is read and thrown away (never stored) before the
     * 413 answer: a client still sending when the server answers and closes would otherwise see a
     * reset connection instead of the error (seen as a flaky test). Larger ones are not drained.
     */
    private static final long DRAIN_LIMIT = 8L << 20;

    /** Reads a body of at most maxBodySize bytes (BODY_TOO_LARGE without storing it if declared larger). */
    byte[] body(HttpServletRequest req, long max, ErrorCode tooLarge) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > max) {
            if (declared <= DRAIN_LIMIT) {
                drain(req, declared);
            }
            throw new ReplicaException(tooLarge, "body of " + declared + " bytes exceeds " + max);
        }
        try (InputStream in = req.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(16, Math.min(max, declared)));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > max) {
                    drain(req, DRAIN_LIMIT);
                    throw new ReplicaException(tooLarge, "body exceeds " + max + " bytes");
                }
            }
            return out.toByteArray();
        }
    }

    /** Reads and discards up to limit bytes of the request body; errors are ignored (the answer is an error anyway). */
    private static void drain(HttpServletRequest req, long limit) {
        try {
            InputStream in = req.getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total < limit && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException ignored) {
            // the client went away: nothing to answer
        }
    }

    JsonNode jsonBody(HttpServletRequest req) throws IOException {
        byte[] b = body(req, limits.getMaxBodySize().toBytes(), ErrorCode.BODY_TOO_LARGE);
        try {
            JsonNode n = ErrorResponses.JSON.readTree(b);
            if (n == null || !n.isObject()) {
                throw invalid("bad_json", "the body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid("bad_json", "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** A base64 field as bytes (Jackson's byte[] encoding); INVALID_ARGUMENT if missing or malformed. */
    static byte[] base64(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw invalid("bad_" + field, "'" + field + "' must be a base64 string");
        }
        try {
            return v.binaryValue();
        } catch (IOException | IllegalArgumentException e) {
            throw invalid("bad_" + field, "'" + field + "' is not valid base64");
        }
    }

    void checkKey(byte[] key) {
        if (key.length == 0) {
            throw invalid("empty_key", "keys must not be empty");
        }
        if (key.length > limits.maxKeyBytes()) {
            throw new ReplicaException(ErrorCode.KEY_TOO_LARGE, "key of " + key.length + " bytes exceeds "
                    + limits.maxKeyBytes());
        }
    }

    static void sendJson(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] out = ErrorResponses.JSON.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }

    static <E extends Enum<E>> E parse(String s, Class<E> type, E dflt) {
        if (s == null || s.isEmpty()) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "consistency '" + s + "' is not one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }

    /** RFC 3986 percent-decoding to raw bytes ('+' stays '+'). */
    static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "bad percent-encoding in the key");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "bad percent-encoding in the key");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }
}

package io.stratakv.balancer.resources;

import io.stratakv.zk.contract.ErrorCode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/** URL pieces kept in their encoded form, so what the node receives is what the client sent. */
final class PercentCoding {

    private PercentCoding() {
    }

    /** RFC 3986 percent-decoding to raw bytes, as the node decodes keys ('+' stays '+'). */
    static byte[] decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw RequestException.invalid("bad_encoding", "bad percent-encoding: " + (s.length() > 64 ? s.substring(0, 64) + "…" : s));
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

    /**
     * Splits a raw query string: parameters named in {@code own} are decoded into {@code ownOut}
     * (the first occurrence); the rest are returned joined, still encoded and in order.
     */
    static String splitQuery(String rawQuery, Set<String> own, Map<String, String> ownOut) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        StringBuilder pass = new StringBuilder();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (own.contains(name)) {
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                ownOut.putIfAbsent(name, new String(decode(v.replace('+', ' ')), StandardCharsets.UTF_8));
            } else {
                if (!pass.isEmpty()) {
                    pass.append('&');
                }
                pass.append(pair);
            }
        }
        return pass.toString();
    }

    /** A query parameter's value as bytes: '+' is a space (as in every query string), %XX a byte. */
    static byte[] decodeQueryValue(String raw) {
        return decode(raw.replace('+', ' '));
    }

    /** The raw (still encoded) values of the parameters named in {@code names}, first occurrence each. */
    static Map<String, String> rawParams(String rawQuery, Set<String> names) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (names.contains(name)) {
                out.putIfAbsent(name, eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return out;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Key bytes as a path segment: unreserved characters as they are, every other byte %XX. */
    static String encodePathSegment(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 3);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (unreserved(c)) {
                b.append((char) c);
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return b.toString();
    }

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /**
     * Checks that a raw query to forward is well formed (RFC 3986: unreserved, sub-delims, ':', '@',
     * '/', '?' and %XX escapes only), so that what the node receives is exactly what the client sent.
     */
    static void checkQuery(String rawQuery) {
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawQuery.length() || Character.digit(rawQuery.charAt(i + 1), 16) < 0
                        || Character.digit(rawQuery.charAt(i + 2), 16) < 0) {
                    throw RequestException.invalid("bad_query", "bad percent-encoding in the query string");
                }
                i += 2;
            } else if (!(c < 0x80 && (unreserved(c) || "!$&'()*+,;=:@/?".indexOf(c) >= 0))) {
                throw RequestException.invalid("bad_query", "character '" + c + "' must be percent-encoded in the query string");
            }
        }
    }

    /**
     * Bytes as a query parameter value for the node's scan bounds. The node reads them with the
     * servlet's getParameter (which percent-decodes once, as UTF-8) and then percent-decodes the
     * result again to bytes; so every byte outside the unreserved set is sent as {@code %25XX}, which
     * survives both steps for any byte, UTF-8 or not.
     */
    static String encodeForNodeParameter(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 3);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (unreserved(c)) {
                b.append((char) c);
            } else {
                b.append("%25").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return b.toString();
    }

    /** The raw value of parameter {@code name} in an encoded query, or null. */
    static String param(String rawQuery, String name) {
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }
}

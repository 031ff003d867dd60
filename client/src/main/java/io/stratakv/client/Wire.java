package io.stratakv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.zk.contract.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The public API's encodings: percent-encoded key bytes, base64 in JSON, the JSON error body. */
final class Wire {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** Error bodies that are not ours (a proxy's HTML page) are quoted up to this many characters. */
    private static final int MAX_QUOTED_BODY = 200;

    private Wire() {
    }

    /** Percent-encodes every byte except RFC 3986 unreserved characters ({@code A-Z a-z 0-9 - . _ ~}). */
    static String percentEncode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes standard or URL-safe base64, padded or not. */
    static byte[] unb64(String s) {
        if (s == null) {
            return new byte[0];
        }
        if (s.indexOf('-') >= 0 || s.indexOf('_') >= 0) {
            return Base64.getUrlDecoder().decode(s);
        }
        return Base64.getDecoder().decode(s);
    }

    static Optional<JsonNode> parseJson(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n == null || n.isMissingNode() ? Optional.empty() : Optional.of(n);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The error an answer carries: its {@code ErrorBody} JSON, or for an answer that is not ours
     * (no JSON, or no {@code code}) a code derived from the HTTP status.
     */
    static StrataException error(int status, byte[] body, boolean outcomeUnknown) {
        Optional<JsonNode> json = parseJson(body);
        if (json.isPresent() && json.get().hasNonNull("code")) {
            JsonNode n = json.get();
            String name = n.get("code").asText();
            ErrorCode code = ErrorCode.fromName(name);
            boolean retryable = n.has("retryable") ? n.get("retryable").asBoolean() : code.retryable();
            Map<String, String> details = new LinkedHashMap<>();
            JsonNode d = n.get("details");
            if (d != null && d.isObject()) {
                d.fields().forEachRemaining(e -> details.put(e.getKey(),
                        e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            }
            String message = n.hasNonNull("message") ? n.get("message").asText() : "(no message)";
            return new StrataException(code, name, status, message, retryable, details,
                    outcomeUnknown || code == ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, null);
        }
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.INVALID_ARGUMENT;
            case 404 -> ErrorCode.NOT_FOUND;
            case 413 -> ErrorCode.BODY_TOO_LARGE;
            // The HTTP server refused the request line: the key (or scan bound) is what makes it long.
            case 414 -> ErrorCode.KEY_TOO_LARGE;
            case 429 -> ErrorCode.OVERLOADED;
            case 502, 503 -> ErrorCode.UNREACHABLE;
            case 504 -> ErrorCode.TIMEOUT_UNKNOWN_OUTCOME;
            case 500 -> ErrorCode.INTERNAL;
            default -> ErrorCode.UNKNOWN;
        };
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8).strip();
        if (text.length() > MAX_QUOTED_BODY) {
            text = text.substring(0, MAX_QUOTED_BODY) + "...";
        }
        return new StrataException(code, code.name(), status, "HTTP " + status + (text.isEmpty() ? "" : ": " + text),
                code.retryable(), Map.of(), outcomeUnknown || code == ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, null);
    }
}

package io.stratakv.client;

import io.stratakv.zk.contract.ErrorCode;

import java.util.Map;
import java.util.OptionalLong;

/**
 * A call that did not succeed, with the server's stable error code (docs/errors.md). Branch on
 * {@link #code()}, never on the message.
 *
 * <ul>
 *   <li>{@link #outcomeUnknown()}: a write whose outcome the client could not learn before its
 *       deadline ({@code TIMEOUT_UNKNOWN_OUTCOME}): it may or may not have applied. It is not a
 *       failure; read the key, or retry the same call (the client retried it within the deadline
 *       with the same request id, which applies at most once).</li>
 *   <li>{@link #retryable()}: the same call may succeed later (the client already retried it
 *       within the call's deadline).</li>
 *   <li>{@code UNREACHABLE}: no balancer endpoint answered (the client's own code).</li>
 * </ul>
 */
public final class StrataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String codeName;
    private final int httpStatus;
    private final boolean retryable;
    private final transient Map<String, String> details;
    private final boolean outcomeUnknown;

    /**
     * @param codeName the code as the server sent it (kept even when this client does not know it,
     *                 in which case {@code code} is {@link ErrorCode#UNKNOWN})
     */
    public StrataException(ErrorCode code, String codeName, int httpStatus, String message, boolean retryable,
                           Map<String, String> details, boolean outcomeUnknown, Throwable cause) {
        super(codeName + ": " + message, cause);
        this.code = code;
        this.codeName = codeName;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
        this.details = details == null ? Map.of() : Map.copyOf(details);
        this.outcomeUnknown = outcomeUnknown;
    }

    /** An error with the code's own status and retryability. */
    public static StrataException of(ErrorCode code, String message, Throwable cause) {
        return new StrataException(code, code.name(), code.httpStatus(), message, code.retryable(), Map.of(),
                code == ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, cause);
    }

    /**
     * The error an HTTP answer of any StrataKV API carries: its {@code ErrorBody} JSON, or a code
     * derived from the status for an answer that is not ours (for tools that call the admin APIs).
     */
    public static StrataException fromAnswer(int httpStatus, byte[] body) {
        return Wire.error(httpStatus, body, false);
    }

    /** The stable code; {@link ErrorCode#UNKNOWN} for a code this client version does not know. */
    public ErrorCode code() {
        return code;
    }

    /** The code as the server named it (differs from {@code code().name()} only for unknown codes). */
    public String codeName() {
        return codeName;
    }

    /** The HTTP status of the answer (for client-side errors, the code's status). */
    public int httpStatus() {
        return httpStatus;
    }

    public boolean retryable() {
        return retryable;
    }

    /** Machine-readable context from the error body (for instance {@code currentVersion}, {@code leader}, {@code reason}). */
    public Map<String, String> details() {
        return details;
    }

    /** True when a write may or may not have applied (never a definite failure). */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    /** The message without the code prefix. */
    public String detailMessage() {
        String m = getMessage();
        return m.startsWith(codeName + ": ") ? m.substring(codeName.length() + 2) : m;
    }

    /** For PRECONDITION_FAILED: the key's current version (0: absent), when the server reported it. */
    public OptionalLong currentVersion() {
        String v = details.get("currentVersion");
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}

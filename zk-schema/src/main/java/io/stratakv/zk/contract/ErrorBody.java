package io.stratakv.zk.contract;

import java.util.Map;
import java.util.Objects;

/**
 * The JSON body of every error answer of every StrataKV HTTP API:
 * {@code {"code":"NOT_LEADER","message":"...","retryable":true,"details":{"leader":"n2","leaderEpoch":"7"}}}.
 *
 * @param code      stable, machine-readable; clients branch on it
 * @param message   for humans: what happened and what to do
 * @param retryable whether retrying (after the action the code names) can succeed
 * @param details   machine-readable context, strings only (for instance {@code leader}, {@code leaderEpoch},
 *                  {@code partition}, {@code path}); the keys each code uses are in its javadoc
 */
public record ErrorBody(ErrorCode code, String message, boolean retryable, Map<String, String> details) {
    public ErrorBody {
        Objects.requireNonNull(code, "code is required");
        Objects.requireNonNull(message, "message is required");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** An error with the code's own retryability and no details. */
    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(code, message, code.retryable(), Map.of());
    }

    /** An error with the code's own retryability. */
    public static ErrorBody of(ErrorCode code, String message, Map<String, String> details) {
        return new ErrorBody(code, message, code.retryable(), details);
    }

    /** The HTTP status to answer with. */
    public int httpStatus() {
        return code.httpStatus();
    }
}

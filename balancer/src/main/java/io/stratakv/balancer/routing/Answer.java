package io.stratakv.balancer.routing;

import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the balancer answers a public request with: a node's answer relayed, or an error of the
 * balancer's own (an {@link ErrorBody}).
 *
 * @param headers response headers to set (one value each), in order
 */
public record Answer(int status, Map<String, String> headers, String contentType, byte[] body, ErrorBody error) {

    public static Answer error(ErrorBody e) {
        return new Answer(e.httpStatus(), new LinkedHashMap<>(), "application/json", null, e);
    }

    public static Answer error(ErrorCode code, String message) {
        return error(ErrorBody.of(code, message));
    }

    public static Answer error(ErrorCode code, String message, Map<String, String> details) {
        return error(ErrorBody.of(code, message, details));
    }
}

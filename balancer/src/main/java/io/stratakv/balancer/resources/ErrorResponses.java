package io.stratakv.balancer.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.balancer.routing.Answer;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

/** Writes {@link Answer}s: the one JSON error shape ({@link ErrorBody}) for every error of the balancer. */
final class ErrorResponses {

    static final ObjectMapper JSON = StrataJson.newMapper();

    private ErrorResponses() {
    }

    /** The outcome name for {@link RouteMetrics}: ok, partial (207) or the error's code. */
    static String outcome(Answer a) {
        if (a.error() != null) {
            return a.error().code().name();
        }
        if (a.status() == 207) {
            return "partial";
        }
        if (a.status() < 400) {
            return "ok";
        }
        try {
            ErrorBody e = JSON.readValue(a.body(), ErrorBody.class);
            return e.code().name();
        } catch (IOException | RuntimeException e) {
            return "http" + a.status();
        }
    }

    /** Sends a refusal of the request itself (an {@link ErrorBody}). */
    static void send(HttpServletResponse resp, io.stratakv.zk.contract.ErrorCode code, String message,
                     Map<String, String> details) throws IOException {
        send(resp, Answer.error(code, message, details));
    }

    static void send(HttpServletResponse resp, Answer a) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        resp.setStatus(a.status());
        for (Map.Entry<String, String> h : a.headers().entrySet()) {
            resp.setHeader(h.getKey(), h.getValue());
        }
        byte[] body = a.error() != null ? JSON.writeValueAsBytes(a.error()) : a.body();
        if (a.error() != null && (a.status() == 503 || a.status() == 429) && !a.headers().containsKey("Retry-After")) {
            resp.setHeader("Retry-After", "1");
        }
        if (a.contentType() != null) {
            resp.setContentType(a.contentType());
        }
        if (body != null) {
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }
}

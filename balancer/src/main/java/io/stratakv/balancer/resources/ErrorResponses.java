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

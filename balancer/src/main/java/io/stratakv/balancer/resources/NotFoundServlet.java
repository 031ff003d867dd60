package io.stratakv.balancer.resources;

import io.stratakv.balancer.routing.Answer;
import io.stratakv.zk.contract.ErrorCode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** Every path the balancer does not serve: 404 NOT_FOUND in the one error shape. */
public final class NotFoundServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ErrorResponses.send(resp, Answer.error(ErrorCode.NOT_FOUND, "no such endpoint: " + req.getMethod() + " "
                + req.getRequestURI() + " (the balancer serves /v1/kv/{key}, /v1/kv/{keyspace}/{key}, /v1/kv[/{keyspace}]:batchGet|:batchPut, /v1/scan[/{keyspace}] and /v1/cluster)"));
    }
}

package io.stratakv.balancer.resources;

import io.dropwizard.core.setup.Environment;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;

/**
 * Errors that Jetty answers itself, before or instead of a servlet (a malformed request line, an
 * ambiguous or badly encoded URI, conflicting Content-Length and Transfer-Encoding, headers too
 * large), in the one JSON {@link ErrorBody} shape instead of Jetty's HTML page. The HTTP status
 * stays Jetty's; the code is {@code INVALID_ARGUMENT} with {@code details.reason = bad_http} for a
 * 4xx (NOT_FOUND, BODY_TOO_LARGE for 404, 413), {@code INTERNAL} for a 5xx. Nothing is ever
 * repaired: the request was refused before anything read it.
 */
public final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {

    /**
     * Sets it as the server's handler (protocol errors, before any context) and {@link ForServlets}
     * as the application context's (errors raised inside the servlet context).
     */
    public static void install(Environment env) {
        env.servlets().addFilter("strata-transfer-encoding", new OnlyChunked())
                .addMappingForUrlPatterns(java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST), false, "/*");
        env.getApplicationContext().setErrorHandler(new ForServlets());
        env.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server) {
                    server.setErrorHandler(new JsonErrorHandler());
                }
            }
        });
        env.lifecycle().addServerLifecycleListener(server -> {
            if (!(server.getErrorHandler() instanceof JsonErrorHandler)) {
                server.setErrorHandler(new JsonErrorHandler());
            }
        });
    }

    static ErrorBody body(int status, String message) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 413 -> ErrorCode.BODY_TOO_LARGE;
            // The request line is too long: on the data API the key is what makes it long.
            case 414 -> ErrorCode.KEY_TOO_LARGE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
        };
        String m = message == null || message.isBlank() ? "HTTP " + status : message;
        return new ErrorBody(code, "the request was refused by the HTTP layer: " + m, false,
                Map.of("reason", "bad_http", "httpStatus", Integer.toString(status)));
    }

    static byte[] json(int status, String message) {
        try {
            return StrataJson.newMapper().writeValueAsBytes(body(status, message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true; // every method gets the JSON body, not only GET/POST/HEAD
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
                                                 List<Charset> charsets, int code, String message, Throwable cause) {
        return writeJson(response, callback, code, message);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(json(status, reason));
    }

    static boolean writeJson(Response response, Callback callback, int code, String message) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json(code, message)), callback);
        return true;
    }

    /**
     * Refuses, before any servlet: a Transfer-Encoding other than {@code chunked} alone (for instance
     * {@code gzip, chunked}: Jetty frames such a body by its last coding and hands the rest on
     * undecoded, which would store bytes the client did not mean; refused, not repaired, LESSONS.md),
     * and a method the data APIs do not have (the servlet default answers 501 to PATCH, a 5xx for a
     * client's mistake). Both answer 400 INVALID_ARGUMENT with {@code details.reason}
     * {@code bad_transfer_encoding} or {@code bad_method}.
     */
    public static final class OnlyChunked implements jakarta.servlet.Filter {
        private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS");

        @Override
        public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response,
                             jakarta.servlet.FilterChain chain) throws java.io.IOException, jakarta.servlet.ServletException {
            jakarta.servlet.http.HttpServletRequest req = (jakarta.servlet.http.HttpServletRequest) request;
            jakarta.servlet.http.HttpServletResponse resp = (jakarta.servlet.http.HttpServletResponse) response;
            java.util.List<String> te = java.util.Collections.list(req.getHeaders("Transfer-Encoding"));
            if (!te.isEmpty() && !(te.size() == 1 && te.getFirst().trim().equalsIgnoreCase("chunked"))) {
                refuse(resp, "Transfer-Encoding " + te + " is not supported; send chunked or a Content-Length",
                        "bad_transfer_encoding");
                return;
            }
            if (!METHODS.contains(req.getMethod())) {
                resp.setHeader("Allow", "GET, HEAD, PUT, POST, DELETE, OPTIONS");
                refuse(resp, "method " + req.getMethod() + " is not supported", "bad_method");
                return;
            }
            chain.doFilter(request, response);
        }

        private static void refuse(jakarta.servlet.http.HttpServletResponse resp, String message, String reason)
                throws java.io.IOException {
            byte[] body = StrataJson.newMapper().writeValueAsBytes(ErrorBody.of(ErrorCode.INVALID_ARGUMENT, message,
                    Map.of("reason", reason)));
            resp.setStatus(400);
            resp.setHeader("Connection", "close");
            resp.setContentType("application/json");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }

    /** The same for errors inside the servlet context (the servlet flavour of Jetty's handler). */
    public static final class ForServlets extends org.eclipse.jetty.ee10.servlet.ErrorHandler {

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                                                     String contentType, List<Charset> charsets, int code, String message,
                                                     Throwable cause) {
            return writeJson(response, callback, code, message);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(json(status, reason));
        }
    }
}

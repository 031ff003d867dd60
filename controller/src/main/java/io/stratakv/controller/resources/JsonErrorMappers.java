package io.stratakv.controller.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Malformed JSON and Jersey's own 4xx answers get the same ErrorBody shape as every other error. */
public final class JsonErrorMappers {

    private JsonErrorMappers() {
    }

    public static final class BadJson implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ErrorBody.of(ErrorCode.INVALID_ARGUMENT, "malformed JSON: " + e.getOriginalMessage())).build();
        }
    }

    /** Anything unexpected: 500 with an INTERNAL ErrorBody (the stack trace goes to the log, not the client). */
    public static final class Unexpected implements ExceptionMapper<Exception> {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Unexpected.class);

        @Override
        public Response toResponse(Exception e) {
            LOG.error("unexpected error in an admin request", e);
            return Response.status(500).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ErrorBody.of(ErrorCode.INTERNAL, "internal error: " + e.getClass().getSimpleName())).build();
        }
    }

    public static final class Web implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND : status == 413 ? ErrorCode.BODY_TOO_LARGE
                    : status < 500 ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL;
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ErrorBody.of(code, e.getMessage())).build();
        }
    }
}

package io.stratakv.controller.resources;

import io.stratakv.controller.core.AdminException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** AdminException → its ErrorBody with the code's HTTP status. */
public final class AdminExceptionMapper implements ExceptionMapper<AdminException> {
    @Override
    public Response toResponse(AdminException e) {
        return Response.status(e.code().httpStatus()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.body()).build();
    }
}

package io.stratakv.controller.resources;

import io.stratakv.controller.core.KeyspaceService;
import io.stratakv.controller.core.KeyspaceSpec;
import io.stratakv.zk.records.KeyspaceRecord;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** Admin API: keyspaces. Errors are {@code ErrorBody} JSON with stable codes (AdminExceptionMapper). */
@Path("/admin/v1/keyspaces")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class KeyspacesResource {

    private final KeyspaceService keyspaces;

    public KeyspacesResource(KeyspaceService keyspaces) {
        this.keyspaces = keyspaces;
    }

    @POST
    public Response create(KeyspaceSpec spec) throws Exception {
        KeyspaceRecord created = keyspaces.create(spec);
        return Response.created(URI.create("/admin/v1/keyspaces/" + created.name())).entity(created).build();
    }

    @GET
    public Map<String, List<KeyspaceRecord>> list() throws Exception {
        return Map.of("keyspaces", keyspaces.list());
    }

    @GET
    @Path("/{name}")
    public KeyspaceService.KeyspaceDescription describe(@PathParam("name") String name) throws Exception {
        return keyspaces.describe(name);
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name) throws Exception {
        keyspaces.delete(name);
        return Response.noContent().build();
    }
}

package io.stratakv.balancer.resources;

import io.dropwizard.core.setup.Environment;
import io.stratakv.balancer.config.LimitsFactory;
import io.stratakv.balancer.config.RequestsFactory;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.balancer.routing.NodeHealth;
import io.stratakv.balancer.routing.Router;

import java.util.concurrent.ExecutorService;

/** Registers the public API's servlets and the JSON error handler (balancer/README.md, "Endpoints"). */
public final class PublicApi {

    private PublicApi() {
    }

    public static void register(Environment env, PartitionMap map, Router router, NodeHealth health,
                                LimitsFactory limits, RequestsFactory requests, ExecutorService fanOut) {
        PublicRequests in = new PublicRequests(map, limits, requests);
        RouteMetrics metrics = new RouteMetrics(env.metrics());
        BatchServlet batches = new BatchServlet(in, router, metrics, fanOut);
        env.servlets().addServlet("strata-kv", new KvServlet(in, router, metrics, batches)).addMapping("/v1/kv/*");
        env.servlets().addServlet("strata-kv-batch", batches).addMapping("/v1/kv:batchGet", "/v1/kv:batchPut");
        env.servlets().addServlet("strata-scan", new ScanServlet(in, router, metrics, fanOut))
                .addMapping("/v1/scan", "/v1/scan/*");
        env.servlets().addServlet("strata-cluster", new ClusterServlet(map, health)).addMapping("/v1/cluster");
        env.servlets().addServlet("strata-not-found", new NotFoundServlet()).addMapping("/*");
        JsonErrorHandler.install(env);
    }
}

package io.stratakv.balancer.resources;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

/**
 * Per-route metrics of the public API: a latency timer {@code strata.balancer.<route>} and a counter
 * per outcome {@code strata.balancer.<route>.<outcome>}, where outcome is {@code ok} (2xx),
 * {@code partial} (a batch's 207) or the error code's name (for instance {@code KEY_NOT_FOUND}).
 * Routes: get, put, delete, batchGet, batchPut, scan.
 */
final class RouteMetrics {

    private final MetricRegistry registry;

    RouteMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    Timer.Context time(String route) {
        return registry.timer(MetricRegistry.name("strata", "balancer", route)).time();
    }

    void outcome(String route, String outcome) {
        registry.counter(MetricRegistry.name("strata", "balancer", route, outcome)).inc();
    }
}

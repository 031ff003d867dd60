package io.stratakv.balancer.health;

import io.dropwizard.lifecycle.Managed;
import io.stratakv.balancer.config.HealthFactory;
import io.stratakv.balancer.core.ClusterView;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.balancer.core.ZnodeEntry;
import io.stratakv.balancer.routing.NodeHealth;
import io.stratakv.zk.records.NodeRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Active health: every {@code health.interval} it GETs {@code http://host:adminPort/healthcheck}
 * of each live registered node (host and admin port from its registration znode) and feeds the
 * outcome (2xx = healthy) to {@link NodeHealth#pollResult}; reads then avoid nodes marked down.
 * After each round it recomputes the latency outliers. One daemon thread; the polls of a round run
 * concurrently on the HTTP client's own executor and each is bounded by {@code health.timeout}.
 */
public final class ActiveHealthPoller implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthPoller.class);

    private final PartitionMap map;
    private final NodeHealth health;
    private final HealthFactory config;
    private HttpClient http;
    private ScheduledExecutorService timer;

    public ActiveHealthPoller(PartitionMap map, NodeHealth health, HealthFactory config) {
        this.map = map;
        this.health = health;
        this.config = config;
    }

    @Override
    public void start() {
        long ms = config.getInterval().toMilliseconds();
        if (ms <= 0) {
            return;
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.getTimeout().toMilliseconds())).build();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "balancer-health-poll");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pollQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (http != null) {
            http.close();
        }
    }

    private void pollQuietly() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            LOG.warn("health poll round failed: {}", e.toString());
        }
    }

    /** One round: every live node polled once, then outliers recomputed. Blocks until the round ends. */
    public void pollOnce() {
        ClusterView v = map.view();
        List<CompletableFuture<Void>> round = new ArrayList<>();
        for (String id : v.live()) {
            ZnodeEntry<NodeRegistration> reg = v.nodes().get(id);
            if (reg == null || reg.value().adminPort() <= 0) {
                continue;
            }
            URI uri = URI.create("http://" + reg.value().host() + ":" + reg.value().adminPort() + "/healthcheck");
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(config.getTimeout().toMilliseconds()))
                    .GET().build();
            round.add(http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                    .handle((resp, err) -> {
                        boolean ok = err == null && resp.statusCode() / 100 == 2;
                        boolean wasDown = health.isDown(id);
                        boolean down = health.pollResult(id, ok, config.getUnhealthyAfter(), config.getHealthyAfter());
                        if (down != wasDown) {
                            LOG.info("node {} is now {} by its health endpoint {} ({})", id, down ? "DOWN" : "UP", uri,
                                    err != null ? err.toString() : "HTTP " + resp.statusCode());
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(round.toArray(CompletableFuture[]::new)).join();
        if (config.getOutlierFactor() > 0) {
            health.markOutliers(v.live(), config.getOutlierFactor(), config.getOutlierFloor().toNanoseconds());
        }
    }
}

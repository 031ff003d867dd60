package io.stratakv.controller.election;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

import java.util.function.LongSupplier;

/**
 * The election metrics in the application's registry:
 * {@code controller.elections} (Timer: every election attempt and its duration),
 * {@code controller.elections.failed} (attempts that published no leader),
 * {@code controller.elections.unclean} (leaders chosen without a majority, keyspaces that opted in),
 * and the gauges {@code controller.partitions.offline} and {@code controller.partitions.under_replicated}.
 */
public final class ElectionMetrics {

    public static final String ELECTIONS = "controller.elections";
    public static final String FAILED = "controller.elections.failed";
    public static final String UNCLEAN = "controller.elections.unclean";
    public static final String OFFLINE = "controller.partitions.offline";
    public static final String UNDER_REPLICATED = "controller.partitions.under_replicated";

    private final Timer elections;
    private final Counter failed;
    private final Counter unclean;

    public ElectionMetrics(MetricRegistry registry) {
        this.elections = registry.timer(ELECTIONS);
        this.failed = registry.counter(FAILED);
        this.unclean = registry.counter(UNCLEAN);
    }

    /** Registers the partition gauges, computed by {@code stats} from the last control-loop pass. */
    public static void registerGauges(MetricRegistry registry, LongSupplier offline, LongSupplier underReplicated) {
        registry.register(OFFLINE, (Gauge<Long>) offline::getAsLong);
        registry.register(UNDER_REPLICATED, (Gauge<Long>) underReplicated::getAsLong);
    }

    Timer.Context startElection() {
        return elections.time();
    }

    void failed() {
        failed.inc();
    }

    void unclean() {
        unclean.inc();
    }
}

package io.stratakv.ops.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one engine did in one workload.
 *
 * @param ops             timed operations
 * @param nanos           wall time of the timed loop (key and value generation included)
 * @param latencyNanos    latency of each timed operation, engine call only
 * @param found           reads that found their key, or entries a scan returned
 * @param expectedFound   what found should be if the engine is right
 * @param amplification   after the write workloads that leave N live keys
 * @param writerOpsPerSec the background writer's rate in readwhilewriting
 * @param problems        wrong answers seen (missing keys, wrong order...); empty when all is well
 */
public record EngineResult(Side side, long ops, long nanos, Histogram latencyNanos, long found, long expectedFound,
                           Optional<Amplification> amplification, OptionalDouble writerOpsPerSec,
                           List<String> problems) {

    public EngineResult {
        problems = List.copyOf(problems);
    }

    public double opsPerSec() {
        return nanos == 0 ? 0 : ops * 1e9 / nanos;
    }

    public double p50Micros() {
        return latencyNanos.getValueAtPercentile(50) / 1e3;
    }

    public double p99Micros() {
        return latencyNanos.getValueAtPercentile(99) / 1e3;
    }

    public double seconds() {
        return nanos / 1e9;
    }
}

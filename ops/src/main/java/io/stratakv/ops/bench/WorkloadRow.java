package io.stratakv.ops.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** One workload's results, per engine that ran it. */
public record WorkloadRow(Workload workload, Map<Side, EngineResult> results) {

    public WorkloadRow {
        results = results.isEmpty() ? Map.of() : new EnumMap<>(results);
    }

    public Optional<EngineResult> result(Side side) {
        return Optional.ofNullable(results.get(side));
    }

    /** StrataKV ops/s over RocksDB ops/s, when both ran. */
    public OptionalDouble ratio() {
        EngineResult s = results.get(Side.STRATA);
        EngineResult r = results.get(Side.ROCKSDB);
        if (s == null || r == null || r.opsPerSec() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(s.opsPerSec() / r.opsPerSec());
    }
}

package io.stratakv.node.health;

import com.codahale.metrics.health.HealthCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Healthy while the data directory accepts a small write and keeps the configured free space. */
public final class DataDirHealthCheck extends HealthCheck {

    private final Path dataDir;
    private final long minFreeBytes;

    public DataDirHealthCheck(Path dataDir, long minFreeBytes) {
        this.dataDir = dataDir;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    protected Result check() throws IOException {
        Path probe = dataDir.resolve(".health-probe");
        try {
            Files.writeString(probe, "ok");
            Files.delete(probe);
        } catch (IOException e) {
            return Result.unhealthy("data directory " + dataDir + " is not writable: " + e.getMessage());
        }
        long free = Files.getFileStore(dataDir).getUsableSpace();
        if (free < minFreeBytes) {
            return Result.unhealthy("data directory " + dataDir + " has " + free + " bytes free, below " + minFreeBytes);
        }
        return Result.healthy("%d bytes free", free);
    }
}

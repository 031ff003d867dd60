package io.stratakv.ops;

import io.dropwizard.core.Configuration;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/** ConfigExampleTest's helpers for tests in other packages. */
public final class ConfigExampleTestAccess {

    private ConfigExampleTestAccess() {
    }

    public static <T extends Configuration> T parse(Class<T> type, File yml) throws Exception {
        return ConfigExampleTest.parse(type, yml);
    }

    public static List<Integer> ports(Path yml) throws Exception {
        return ConfigExampleTest.ports(yml);
    }
}

package io.stratakv.client;

/** Lets tests in other packages (the YCSB binding's) use the package-private FakeBalancer. */
public final class FakeBalancerAccess implements AutoCloseable {
    private final FakeBalancer fake;

    public FakeBalancerAccess() throws java.io.IOException {
        fake = new FakeBalancer();
    }

    public String url() {
        return fake.url();
    }

    public void putDirect(String keyspace, String key, String value) {
        fake.putDirect(keyspace, key, value);
    }

    public long requests(String method) {
        return fake.seen(method).size();
    }

    public int storedKeys() {
        return fake.size("default");
    }

    @Override
    public void close() {
        fake.close();
    }
}

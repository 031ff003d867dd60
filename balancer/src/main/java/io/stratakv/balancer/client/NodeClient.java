package io.stratakv.balancer.client;

/** Calls to storage nodes' data APIs. A seam for tests; the real one is {@link HttpNodeClient}. */
public interface NodeClient extends AutoCloseable {

    NodeResponse send(NodeRequest request) throws NodeCallException, InterruptedException;

    @Override
    default void close() {
    }
}

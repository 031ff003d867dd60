package io.stratakv.balancer.client;

/**
 * A call that got no HTTP answer. {@link #delivered} says whether the node may have received the
 * request: false only when it certainly did not (connection refused, connect timeout, no
 * connection slot), which makes even a write safe to send elsewhere; true for a timeout or a
 * connection lost after sending, when a write's outcome is unknown.
 */
public final class NodeCallException extends Exception {

    private final boolean delivered;

    public NodeCallException(String message, boolean delivered, Throwable cause) {
        super(message, cause);
        this.delivered = delivered;
    }

    public boolean delivered() {
        return delivered;
    }
}

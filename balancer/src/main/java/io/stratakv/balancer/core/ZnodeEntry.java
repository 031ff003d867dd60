package io.stratakv.balancer.core;

/**
 * A decoded znode with what decides whether it may replace another copy of the same path:
 * {@code czxid} (the transaction that created this incarnation of the znode: a deleted and
 * recreated znode has a larger one) and {@code version} (its data version within the incarnation).
 */
public record ZnodeEntry<T>(T value, int version, long czxid) {
}

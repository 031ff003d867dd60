package io.stratakv.controller.placement;

/**
 * A node as placement sees it: where it is and how loaded it already is.
 *
 * @param replicas replicas it already holds, over every keyspace
 * @param leaders  partitions it already leads (or is the preferred leader of)
 */
public record PlacementNode(String nodeId, String rack, int replicas, int leaders) {
}

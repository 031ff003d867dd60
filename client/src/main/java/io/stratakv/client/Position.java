package io.stratakv.client;

import java.util.Objects;

/**
 * A write's place in its partition's log: the leader epoch that wrote it and its offset,
 * {@code <epoch>:<offset>} on the wire ({@code X-Strata-Position}). Committed offsets are never
 * reused, so the offset alone orders positions of one partition; the epoch is for diagnosis.
 */
public record Position(long epoch, long offset) implements Comparable<Position> {

    public Position {
        if (epoch < 0 || offset < 0) {
            throw new IllegalArgumentException("position " + epoch + ":" + offset + " must not be negative");
        }
    }

    /** Parses {@code <epoch>:<offset>}; throws IllegalArgumentException on anything else. */
    public static Position parse(String text) {
        Objects.requireNonNull(text, "position");
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("position '" + text + "' is not <epoch>:<offset>");
        }
        try {
            return new Position(Long.parseLong(text.substring(0, colon).trim()), Long.parseLong(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("position '" + text + "' is not <epoch>:<offset>", e);
        }
    }

    @Override
    public int compareTo(Position o) {
        int c = Long.compare(offset, o.offset);
        return c != 0 ? c : Long.compare(epoch, o.epoch);
    }

    /** The wire form {@code <epoch>:<offset>}. */
    @Override
    public String toString() {
        return epoch + ":" + offset;
    }
}

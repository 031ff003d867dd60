package io.stratakv.client;

import java.util.List;
import java.util.Optional;

/** One page of a scan and the token that fetches the next one (empty: the scan is complete). */
public record ScanPage(List<KeyValue> entries, Optional<String> continuation) {
    public ScanPage {
        entries = List.copyOf(entries);
    }
}

package io.stratakv.it.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Saves and loads a {@link History} as JSON lines: one {@link Op} per line, in history order, so a
 * failing run can be kept and checked again. Fields are the record components of {@link Op};
 * null fields are left out, and an absent {@code value} reads back as absent. For example:
 * <pre>
 * {"index":0,"process":1,"type":"INVOKE","function":"CAS","key":"k3","value":"7","expected":"4","consistency":"QUORUM","nanos":1200}
 * {"index":1,"process":1,"type":"OK","function":"CAS","key":"k3","value":"7","expected":"4","consistency":"QUORUM","nanos":5400}
 * </pre>
 * Unknown fields are ignored, so later versions may add some. Blank lines are skipped.
 */
public final class HistoryFile {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private HistoryFile() {}

    public static void write(History history, Path file) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Op op : history.events()) {
                w.write(toLine(op));
                w.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write history to " + file, e);
        }
    }

    public static History read(Path file) {
        List<Op> events = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                try {
                    events.add(fromLine(line));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": not an op: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history from " + file, e);
        }
        return new History(events);
    }

    static String toLine(Op op) throws IOException {
        return JSON.writeValueAsString(op);
    }

    static Op fromLine(String line) throws IOException {
        return JSON.readValue(line, Op.class);
    }
}

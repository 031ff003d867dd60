package io.stratakv.client.ycsb;

import io.stratakv.client.CallOptions;
import io.stratakv.client.KeyValue;
import io.stratakv.client.Scan;
import io.stratakv.client.StrataClient;
import io.stratakv.client.StrataException;
import io.stratakv.client.Versioned;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;

/**
 * YCSB binding: runs YCSB's workloads against StrataKV through its balancers.
 *
 * <p>Properties: {@code strata.balancers} (comma-separated URLs, default
 * {@code http://127.0.0.1:8080}), {@code strata.keyspace} (default {@code default}),
 * {@code strata.writeConsistency} ({@code ONE|QUORUM|ALL}, default: the keyspace's),
 * {@code strata.readConsistency} ({@code STRONG|SESSION|EVENTUAL}, default: the keyspace's),
 * {@code strata.timeoutMs} (each operation's deadline, default 5000).
 *
 * <p>A record is one value ({@link FieldCodec}); YCSB's table name is not part of the key (use a
 * keyspace per table). {@code update} changes only the fields it names, so it reads the record and
 * writes the merged one with compare-and-set on the version it read, retrying when another writer
 * got in between; with {@code ONE} writes (which cannot carry a condition) the merge is a plain put
 * and concurrent updates of one record may lose fields. {@code scan} reads {@code recordcount}
 * keys from {@code startkey} on, in key order.
 *
 * <p>All the DB instances of one JVM with the same settings share one {@link StrataClient} (and so
 * its keep-alive connections).
 */
public final class StrataYcsbClient extends DB {

    public static final String BALANCERS = "strata.balancers";
    public static final String KEYSPACE = "strata.keyspace";
    public static final String WRITE_CONSISTENCY = "strata.writeConsistency";
    public static final String READ_CONSISTENCY = "strata.readConsistency";
    public static final String TIMEOUT_MS = "strata.timeoutMs";
    static final String DEFAULT_BALANCER = "http://127.0.0.1:8080";
    /** Compare-and-set rounds an update tries before it reports a conflict. */
    static final int MAX_UPDATE_ATTEMPTS = 16;

    private static final Map<String, Shared> SHARED = new HashMap<>();

    private record Shared(StrataClient client, int[] users) {
    }

    private String sharedKey;
    private StrataClient client;
    private boolean conditionalUpdates;

    @Override
    public void init() throws DBException {
        Properties p = getProperties();
        List<String> balancers = Arrays.stream(p.getProperty(BALANCERS, DEFAULT_BALANCER).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        String ks = p.getProperty(KEYSPACE, StrataClient.DEFAULT_KEYSPACE);
        String write = p.getProperty(WRITE_CONSISTENCY, "").strip().toUpperCase(Locale.ROOT);
        String read = p.getProperty(READ_CONSISTENCY, "").strip().toUpperCase(Locale.ROOT);
        String timeout = p.getProperty(TIMEOUT_MS, "5000").strip();
        StrataClient.Builder b;
        try {
            b = StrataClient.builder().balancers(balancers).keyspace(ks).timeout(Duration.ofMillis(Long.parseLong(timeout)));
            if (!write.isEmpty()) {
                b.writeConsistency(WriteConsistency.valueOf(write));
            }
            if (!read.isEmpty()) {
                b.readConsistency(ReadConsistency.valueOf(read));
            }
        } catch (IllegalArgumentException e) { // also NumberFormatException
            throw new DBException("bad strata.* property: " + e.getMessage(), e);
        }
        conditionalUpdates = !write.equals("ONE");
        sharedKey = String.join(",", balancers) + "|" + ks + "|" + write + "|" + read + "|" + timeout;
        synchronized (SHARED) {
            Shared s = SHARED.get(sharedKey);
            if (s == null) {
                s = new Shared(b.build(), new int[1]);
                SHARED.put(sharedKey, s);
            }
            s.users()[0]++;
            client = s.client();
        }
    }

    @Override
    public void cleanup() {
        synchronized (SHARED) {
            Shared s = SHARED.get(sharedKey);
            if (s != null && --s.users()[0] == 0) {
                SHARED.remove(sharedKey);
                s.client().close();
            }
        }
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            Optional<Versioned> v = client.get(utf8(key));
            if (v.isEmpty()) {
                return Status.NOT_FOUND;
            }
            copy(FieldCodec.decode(v.get().value()), fields, result);
            return Status.OK;
        } catch (StrataException e) {
            return status(e);
        } catch (IllegalArgumentException e) {
            return Status.UNEXPECTED_STATE; // a value that is not a YCSB record
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
                       Vector<HashMap<String, ByteIterator>> result) {
        if (recordcount < 1) {
            return Status.OK;
        }
        try {
            Iterator<KeyValue> it = client.scanIterator(Scan.from(utf8(startkey)).limit(recordcount)
                    .pageSize(Math.min(recordcount, 1000)), CallOptions.defaults());
            while (it.hasNext()) {
                HashMap<String, ByteIterator> row = new HashMap<>();
                copy(FieldCodec.decode(it.next().value()), fields, row);
                result.add(row);
            }
            return Status.OK;
        } catch (StrataException e) {
            return status(e);
        } catch (IllegalArgumentException e) {
            return Status.UNEXPECTED_STATE;
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        byte[] k = utf8(key);
        try {
            for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
                Optional<Versioned> current = client.get(k);
                if (current.isEmpty()) {
                    return Status.NOT_FOUND;
                }
                Map<String, byte[]> merged = new LinkedHashMap<>(FieldCodec.decode(current.get().value()));
                values.forEach((f, v) -> merged.put(f, v.toArray()));
                byte[] encoded = FieldCodec.encode(merged);
                if (!conditionalUpdates) {
                    client.put(k, encoded);
                    return Status.OK;
                }
                try {
                    client.compareAndSet(k, encoded, current.get().version());
                    return Status.OK;
                } catch (StrataException e) {
                    if (e.code() != ErrorCode.PRECONDITION_FAILED) {
                        throw e;
                    }
                    // another writer changed the record since we read it: merge again
                }
            }
            return new Status("CONFLICT", "the record kept changing under " + MAX_UPDATE_ATTEMPTS + " update attempts");
        } catch (StrataException e) {
            return status(e);
        } catch (IllegalArgumentException e) {
            return Status.UNEXPECTED_STATE;
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        values.forEach((f, v) -> fields.put(f, v.toArray()));
        try {
            client.put(utf8(key), FieldCodec.encode(fields));
            return Status.OK;
        } catch (StrataException e) {
            return status(e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            client.delete(utf8(key));
            return Status.OK;
        } catch (StrataException e) {
            return status(e);
        }
    }

    private static void copy(Map<String, byte[]> record, Set<String> fields, Map<String, ByteIterator> out) {
        for (Map.Entry<String, byte[]> e : record.entrySet()) {
            if (fields == null || fields.contains(e.getKey())) {
                out.put(e.getKey(), new ByteArrayByteIterator(e.getValue()));
            }
        }
    }

    /** YCSB's status for an error: unavailability and timeouts apart from bad requests and the rest. */
    static Status status(StrataException e) {
        return switch (e.code()) {
            case KEY_NOT_FOUND, KEYSPACE_NOT_FOUND -> Status.NOT_FOUND;
            case PARTITION_UNAVAILABLE, UNREACHABLE, ZOOKEEPER_UNAVAILABLE, OVERLOADED -> Status.SERVICE_UNAVAILABLE;
            case INVALID_ARGUMENT, INVALID_KEYSPACE_NAME, KEY_TOO_LARGE, VALUE_TOO_LARGE, BODY_TOO_LARGE -> Status.BAD_REQUEST;
            case TIMEOUT_UNKNOWN_OUTCOME -> new Status("TIMEOUT_UNKNOWN_OUTCOME", e.getMessage());
            default -> new Status(e.codeName(), e.getMessage());
        };
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

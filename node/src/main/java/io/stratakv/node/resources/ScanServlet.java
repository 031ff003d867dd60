package io.stratakv.node.resources;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.node.config.LimitsFactory;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.node.replica.ReplicaManager;
import io.stratakv.node.replica.ReplicaState;
import io.stratakv.storage.VersionedScan;
import io.stratakv.storage.lsm.LsmTree;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.ReadConsistency;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import static io.stratakv.node.resources.DataRequests.invalid;

/**
 * {@code GET /v1/scan/{keyspace}?partition=P&prefix=… | start=…&end=…, limit=, cursor=, consistency=}:
 * the keys of ONE partition in key order (keys hash to partitions, so a keyspace-wide range is the
 * merge of every partition's; the balancer will do that). Bounds are percent-encoded key bytes.
 * A page answers {@code {"partitionId","entries":[{"key","value","version"}],"next"}} (base64 keys
 * and values); {@code next} is the cursor of the following page, null at the end. The cursor is
 * {@code base64url(last key returned)}: resuming starts just after it, so entries written
 * meanwhile after the cursor are seen; each page is read on its own snapshot.
 */
public final class ScanServlet extends HttpServlet {

    private final ReplicaManager manager;
    private final DataRequests in;
    private final Timer timer;

    public ScanServlet(ReplicaManager manager, LimitsFactory limits, MetricRegistry metrics) {
        this.manager = manager;
        this.in = new DataRequests(limits);
        this.timer = metrics.timer(MetricRegistry.name("strata", "kv", "scan"));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        KvServlet.handle(req, resp, () -> {
            try (Timer.Context ignored = timer.time()) {
                scan(req, resp);
            }
        });
    }

    private void scan(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath() + "/";
        String ks = uri.startsWith(prefix) ? uri.substring(prefix.length()) : "";
        KvServlet.checkKeyspace(ks);
        String pidText = req.getParameter("partition");
        if (pidText == null) {
            throw invalid("missing_partition", "a scan names one partition: partition=<id>");
        }
        long pid = DataRequests.parseLong(pidText, "partition");
        if (pid < 0 || pid > Integer.MAX_VALUE) {
            throw new ReplicaException(ErrorCode.INVALID_PARTITION_ID, "partition '" + pidText + "' is not a partition id");
        }
        Replica r = manager.replica(ks, (int) pid).orElseThrow(() -> new ReplicaException(ErrorCode.PARTITION_NOT_FOUND,
                "this node holds no replica of " + ks + "/" + pid));

        byte[] from;
        byte[] to;
        String p = req.getParameter("prefix");
        if (p != null) {
            if (req.getParameter("start") != null || req.getParameter("end") != null) {
                throw invalid("prefix_and_range", "give prefix= or start=/end=, not both");
            }
            byte[] pb = DataRequests.percentDecode(p);
            from = pb.length == 0 ? null : pb;
            to = pb.length == 0 ? null : LsmTree.prefixEnd(pb);
        } else {
            from = bound(req.getParameter("start"));
            to = bound(req.getParameter("end"));
        }
        if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
            throw invalid("start_after_end", "start is after end");
        }
        int max = in.limits().getMaxScanLimit();
        String l = req.getParameter("limit");
        long limit = l == null ? Math.min(100, max) : DataRequests.parseLong(l, "limit");
        if (limit < 1 || limit > max) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "limit must be 1.." + max,
                    Map.of("reason", limit < 1 ? "bad_limit" : "limit_too_large"));
        }
        String cursor = req.getParameter("cursor");
        if (cursor != null) {
            byte[] last;
            try {
                last = Base64.getUrlDecoder().decode(cursor);
            } catch (IllegalArgumentException e) {
                throw invalid("bad_cursor", "cursor is not a cursor this API returned");
            }
            byte[] after = Arrays.copyOf(last, last.length + 1); // the smallest key after last
            if (from == null || Arrays.compareUnsigned(after, from) > 0) {
                from = after;
            }
        }

        ReadConsistency c = DataRequests.parse(req.getParameter("consistency"), ReadConsistency.class,
                ReadConsistency.DEFAULT);
        switch (c) {
            case STRONG -> r.confirmLeadership(in.epoch(req), in.deadline(req));
            case SESSION -> r.awaitApplied(DataRequests.position(req), r.view().state() == ReplicaState.LEADER
                    ? in.deadline(req)
                    : Math.min(in.deadline(req), System.nanoTime() + DataRequests.SESSION_FOLLOWER_WAIT_NANOS));
            case EVENTUAL -> {
            }
        }
        ObjectNode out = ErrorResponses.JSON.createObjectNode();
        out.put("partitionId", r.partitionId());
        ArrayNode entries = out.putArray("entries");
        long budget = in.limits().getMaxBodySize().toBytes() / 2; // base64 grows bytes by 4/3, plus JSON
        byte[] lastKey = null;
        boolean more = false;
        if (to == null || from == null || Arrays.compareUnsigned(from, to) < 0) {
            try (VersionedScan it = r.scan(from, to)) {
                int n = 0;
                while (it.next()) {
                    if (n == limit || (n > 0 && budget < it.key().length + it.value().length)) {
                        more = true;
                        break;
                    }
                    ObjectNode e = entries.addObject();
                    e.put("key", it.key());
                    e.put("value", it.value());
                    e.put("version", it.version());
                    budget -= it.key().length + it.value().length;
                    lastKey = it.key();
                    n++;
                }
            }
        }
        out.put("next", more ? Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey) : null);
        DataRequests.setStaleness(resp, r);
        DataRequests.sendJson(resp, 200, out);
    }

    private static byte[] bound(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        return DataRequests.percentDecode(s);
    }
}

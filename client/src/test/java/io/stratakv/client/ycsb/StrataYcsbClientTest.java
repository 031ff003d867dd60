package io.stratakv.client.ycsb;

import io.stratakv.client.FakeBalancerAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The YCSB binding: its operations, and YCSB's own CoreWorkload (workload A) driving it. */
class StrataYcsbClientTest {

    private FakeBalancerAccess fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeBalancerAccess();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private DB db(Properties extra) throws Exception {
        Properties p = new Properties();
        p.setProperty(StrataYcsbClient.BALANCERS, fake.url());
        p.setProperty(StrataYcsbClient.TIMEOUT_MS, "2000");
        p.putAll(extra);
        DB db = new StrataYcsbClient();
        db.setProperties(p);
        db.init();
        return db;
    }

    @Test
    void insertReadUpdateScanDelete() throws Exception {
        DB db = db(new Properties());
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(db.insert("usertable", "user" + i, StringByteIterator.getByteIteratorMap(
                        Map.of("field0", "a" + i, "field1", "b" + i)))).isEqualTo(Status.OK);
            }
            Map<String, ByteIterator> row = new HashMap<>();
            assertThat(db.read("usertable", "user3", null, row)).isEqualTo(Status.OK);
            assertThat(StringByteIterator.getStringMap(row)).isEqualTo(Map.of("field0", "a3", "field1", "b3"));

            assertThat(db.update("usertable", "user3", StringByteIterator.getByteIteratorMap(Map.of("field1", "B3"))))
                    .isEqualTo(Status.OK);
            row.clear();
            assertThat(db.read("usertable", "user3", Set.of("field1"), row)).isEqualTo(Status.OK);
            assertThat(StringByteIterator.getStringMap(row)).isEqualTo(Map.of("field1", "B3"));
            row.clear();
            db.read("usertable", "user3", null, row);
            assertThat(StringByteIterator.getStringMap(row)).containsEntry("field0", "a3"); // update merged

            Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
            assertThat(db.scan("usertable", "user1", 3, null, rows)).isEqualTo(Status.OK);
            assertThat(rows).extracting(r -> r.get("field0").toString()).containsExactly("a1", "a2", "a3");

            assertThat(db.delete("usertable", "user2")).isEqualTo(Status.OK);
            assertThat(db.read("usertable", "user2", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
            assertThat(db.update("usertable", "user2", Map.of())).isEqualTo(Status.NOT_FOUND);
        } finally {
            db.cleanup();
        }
    }

    @Test
    void badPropertiesFailInit() {
        Properties p = new Properties();
        p.setProperty(StrataYcsbClient.WRITE_CONSISTENCY, "MOST");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> db(p)).isInstanceOf(site.ycsb.DBException.class);
    }

    @Test
    void coreWorkloadARunsThroughTheBinding() throws Exception {
        Properties p = new Properties();
        p.setProperty("recordcount", "200");
        p.setProperty("operationcount", "400");
        p.setProperty("readproportion", "0.5");
        p.setProperty("updateproportion", "0.5");
        p.setProperty("scanproportion", "0");
        p.setProperty("insertproportion", "0");
        p.setProperty("requestdistribution", "zipfian");
        p.setProperty("fieldcount", "4");
        p.setProperty("fieldlength", "20");
        Measurements.setProperties(p);
        CoreWorkload workload = new CoreWorkload();
        workload.init(p);
        AtomicInteger failures = new AtomicInteger();
        DB db = new CountingDb(db(p), failures);
        Object state = workload.initThread(p, 0, 1);
        for (int i = 0; i < 200; i++) {
            assertThat(workload.doInsert(db, state)).isTrue();
        }
        for (int i = 0; i < 400; i++) {
            workload.doTransaction(db, state);
        }
        db.cleanup();
        assertThat(failures.get()).isZero();
        assertThat(fake.storedKeys()).isEqualTo(200);
        assertThat(fake.requests("PUT")).isGreaterThanOrEqualTo(200); // inserts plus updates
        assertThat(fake.requests("GET")).isGreaterThanOrEqualTo(400); // reads plus the updates' reads
    }

    /** Counts operations that did not answer OK. */
    private static final class CountingDb extends DB {
        private final DB inner;
        private final AtomicInteger failures;

        CountingDb(DB inner, AtomicInteger failures) {
            this.inner = inner;
            this.failures = failures;
        }

        private Status count(Status s) {
            if (!s.isOk()) {
                failures.incrementAndGet();
            }
            return s;
        }

        @Override
        public void cleanup() throws site.ycsb.DBException {
            inner.cleanup();
        }

        @Override
        public Status read(String t, String k, Set<String> f, Map<String, ByteIterator> r) {
            return count(inner.read(t, k, f, r));
        }

        @Override
        public Status scan(String t, String k, int n, Set<String> f, Vector<HashMap<String, ByteIterator>> r) {
            return count(inner.scan(t, k, n, f, r));
        }

        @Override
        public Status update(String t, String k, Map<String, ByteIterator> v) {
            return count(inner.update(t, k, v));
        }

        @Override
        public Status insert(String t, String k, Map<String, ByteIterator> v) {
            return count(inner.insert(t, k, v));
        }

        @Override
        public Status delete(String t, String k) {
            return count(inner.delete(t, k));
        }
    }
}

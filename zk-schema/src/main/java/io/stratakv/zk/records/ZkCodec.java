package io.stratakv.zk.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.Versioned;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.io.IOException;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Encodes {@link ZkRecord}s to the compact UTF-8 JSON stored in znodes, and decodes them.
 *
 * <p>Reading rules: the document must be a JSON object with an integer {@code "schema"} field
 * equal to {@link ZkRecord#SCHEMA_V1}; any other version is refused before the fields are
 * looked at, so a newer layout is never misread. Within the known version, unknown fields are
 * ignored (a newer writer may add optional fields), optional and collection fields may be absent,
 * and every other field is required (see {@link StrataJson}). Every failure is a
 * {@link SchemaException} naming the znode path.
 *
 * <p>Thread-safe; the mapper is configured once.
 */
public final class ZkCodec {

    private static final ObjectMapper MAPPER = StrataJson.newMapper();

    private ZkCodec() {
    }

    /** The record as UTF-8 JSON. */
    public static byte[] encode(ZkRecord record) {
        ZkRecord.checkSchema(record.schema(), record.getClass());
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + record, e); // a bug: every record is serializable
        }
    }

    /**
     * Decodes the content of znode {@code path} as a {@code type}.
     *
     * @throws SchemaException if it is empty, not JSON, of another schema version, or not a valid {@code type}
     */
    public static <T extends ZkRecord> T decode(byte[] data, Class<T> type, String path) {
        if (data == null || data.length == 0) {
            throw new SchemaException(path, type, SchemaException.Problem.EMPTY, "the znode holds no data", null);
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(data);
        } catch (IOException e) {
            throw new SchemaException(path, type, SchemaException.Problem.MALFORMED_JSON, firstLine(e), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new SchemaException(path, type, SchemaException.Problem.MALFORMED_JSON,
                    "expected a JSON object, found " + (tree == null ? "nothing" : tree.getNodeType()), null);
        }
        JsonNode schema = tree.get("schema");
        if (schema == null || !schema.isIntegralNumber() || !schema.canConvertToInt()) {
            throw new SchemaException(path, type, SchemaException.Problem.MISSING_SCHEMA,
                    "no integer \"schema\" field" + (schema == null ? "" : " (found " + schema + ")"), null);
        }
        if (schema.intValue() != ZkRecord.SCHEMA_V1) {
            throw new SchemaException(path, type, SchemaException.Problem.UNSUPPORTED_SCHEMA,
                    "schema " + schema.intValue() + " is not readable by this version, which reads schema "
                            + ZkRecord.SCHEMA_V1 + " (written by a newer StrataKV?)", null);
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            // The record's constructor refused the values: its own message says why.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SchemaException(path, type, SchemaException.Problem.INVALID_RECORD, cause.getMessage(), e);
        } catch (JsonMappingException e) {
            throw new SchemaException(path, type, SchemaException.Problem.INVALID_RECORD,
                    location(e) + withoutHints(firstLine(e)), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new SchemaException(path, type, SchemaException.Problem.INVALID_RECORD, firstLine(e), e);
        }
    }

    /**
     * Reads and decodes znode {@code path} with the version it was read at; empty if it does
     * not exist.
     */
    public static <T extends ZkRecord> Optional<Versioned<T>> read(CuratorFramework client, String path, Class<T> type)
            throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
        return Optional.of(new Versioned<>(decode(data, type, path), stat.getVersion()));
    }

    /** "field replicas[2]: " for the JSON location Jackson reports, or nothing. */
    private static String location(JsonMappingException e) {
        if (e.getPath() == null || e.getPath().isEmpty()) {
            return "";
        }
        String where = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
        return "field " + (where.startsWith(".") ? where.substring(1) : where) + ": ";
    }

    /** Jackson suggests configuration switches ("(set ... to 'false' to allow)"): noise for an operator. */
    private static String withoutHints(String message) {
        for (String hint : new String[]{" (set DeserializationConfig", " (but might if coercion"}) {
            int i = message.indexOf(hint);
            if (i > 0) {
                message = message.substring(0, i);
            }
        }
        return message;
    }

    /** Jackson's messages append the source document and location; the first line says what is wrong. */
    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}

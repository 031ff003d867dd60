package io.stratakv.zk;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.AnnotationIntrospectorPair;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The JSON rules shared by the znode records and the HTTP contract records.
 *
 * <ul>
 *   <li><b>Absent means empty only where the type says so.</b> A record component of type
 *       {@link Optional}, {@link OptionalInt}, {@link OptionalLong}, {@link Collection} or
 *       {@link Map} may be absent from the JSON (it reads as empty); every other component is
 *       required, and a document that lacks it is refused. So a field added later to a record must
 *       have one of those types, or old documents would stop decoding.</li>
 *   <li><b>Unknown fields are ignored</b> (forward compatible: a newer writer may add optional
 *       fields). Caution: a reader that rewrites a record it decoded drops the fields it did not
 *       know.</li>
 *   <li>No coercion: {@code "5"} is not an int, {@code null} is not a primitive, an unknown enum
 *       constant is an error.</li>
 *   <li>Deterministic output: the same record always encodes to the same bytes (map entries in
 *       key order).</li>
 *   <li>Instants as ISO-8601 strings ({@code "2025-01-31T12:00:00Z"}), empty optionals as
 *       {@code null}.</li>
 * </ul>
 */
public final class StrataJson {

    private StrataJson() {
    }

    /** A new mapper with the StrataKV rules. */
    public static ObjectMapper newMapper() {
        return configure(JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // A document naming a field twice is ambiguous: refuse it rather than keep the last.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build());
    }

    /**
     * Applies the StrataKV rules to an existing mapper (for instance Dropwizard's, so that the
     * HTTP APIs read contract records with the same strictness) and returns it.
     */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.registerModule(new Jdk8Module());
        mapper.registerModule(new JavaTimeModule());
        mapper.setAnnotationIntrospector(AnnotationIntrospectorPair.pair(
                new RecordComponentsRequired(), mapper.getSerializationConfig().getAnnotationIntrospector()));
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        // Same record, same bytes: map fields (keyspace options, error details) in key order.
        mapper.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        return mapper;
    }

    /** Marks every record constructor parameter required unless its type has an empty value. */
    private static final class RecordComponentsRequired extends NopAnnotationIntrospector {
        @Override
        public Boolean hasRequiredMarker(AnnotatedMember m) {
            if (m instanceof AnnotatedParameter p && p.getDeclaringClass().isRecord()) {
                return !mayBeAbsent(p.getRawType());
            }
            return null; // no opinion: the next introspector decides
        }

        private static boolean mayBeAbsent(Class<?> type) {
            return Optional.class.isAssignableFrom(type) || OptionalInt.class == type || OptionalLong.class == type
                    || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type);
        }
    }
}

package io.stratakv.client.ycsb;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FieldCodecTest {

    @Test
    void randomRecordsRoundTrip() {
        Random r = new Random(42);
        for (int round = 0; round < 500; round++) {
            Map<String, byte[]> m = new LinkedHashMap<>();
            int n = r.nextInt(20);
            for (int i = 0; i < n; i++) {
                byte[] v = new byte[r.nextInt(i == 0 ? 70_000 : 300)];
                r.nextBytes(v);
                m.put("field" + r.nextInt(1000) + "é", v);
            }
            Map<String, byte[]> back = FieldCodec.decode(FieldCodec.encode(m));
            assertThat(back.keySet()).containsExactlyElementsOf(m.keySet());
            m.forEach((k, v) -> assertThat(Arrays.equals(back.get(k), v)).as(k).isTrue());
        }
    }

    @Test
    void tenHundredByteFieldsCostEightyOneBytesOfFraming() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            m.put("field" + i, new byte[100]);
        }
        assertThat(FieldCodec.encode(m)).hasSize(1000 + 81);
    }

    @Test
    void refusesBytesThatAreNotARecord() {
        byte[] good = FieldCodec.encode(Map.of("a", "xyz".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> FieldCodec.decode(Arrays.copyOf(good, good.length - 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldCodec.decode(Arrays.copyOf(good, good.length + 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldCodec.decode(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldCodec.decode(new byte[]{2, 1, 'a', 0, 1, 'a', 0})).hasMessageContaining("twice");
        assertThat(FieldCodec.decode(new byte[]{0})).isEmpty();
    }
}

package io.stratakv.balancer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** Bytes to a port, the whole answer back (requests say Connection: close): for what no HTTP client sends. */
final class RawHttp {

    private RawHttp() {
    }

    static String send(int port, String raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (SocketException e) {
                // answered and closed before taking everything: read the answer
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    all.write(buf, 0, n);
                }
            } catch (SocketException e) {
                // reset after the answer
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}

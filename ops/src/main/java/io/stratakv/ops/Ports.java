package io.stratakv.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Whether a TCP port can be bound, checked before a service tries (and fails less clearly). */
public final class Ports {

    private Ports() {
    }

    /**
     * True when {@code host:port} can be bound now. On Linux a port that another process holds on
     * the wildcard address also fails here, as it would for the service.
     */
    public static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as Jetty and ZooKeeper do: a port in TIME_WAIT is free
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

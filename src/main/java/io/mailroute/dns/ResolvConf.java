package io.mailroute.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code nameserver} lines of resolv.conf(5). Search lists and ndots are deliberately
 * ignored: the engine only ever looks up absolute names.
 */
public final class ResolvConf {

    private static final Path SYSTEM_FILE = Path.of("/etc/resolv.conf");

    /** What the C library uses when resolv.conf names no server. */
    private static final String FALLBACK = "127.0.0.1:53";

    private ResolvConf() {}

    /**
     * Returns the servers of the {@code nameserver} lines as "ip:53" / "[ipv6]:53", in file order.
     * Comments ("#", ";"), other options, malformed lines and IPv6 zone ids are skipped.
     */
    public static List<String> parseNameservers(String content) {
        List<String> servers = new ArrayList<>();
        for (String raw : content.split("\\R")) {
            String line = stripComment(raw).trim();
            String[] words = line.split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            String address = words[1];
            if (address.contains("%")) {
                continue; // link-local with zone id: not usable as a plain socket address here
            }
            String server = address.contains(":") ? "[" + address + "]:53" : address + ":53";
            try {
                DnsResolverConfig.parseServer(server);
                servers.add(server);
            } catch (IllegalArgumentException e) {
                // not an IP literal: resolv.conf(5) requires one, so the line is ignored like libc
                // does
            }
        }
        return List.copyOf(servers);
    }

    /** Nameservers of /etc/resolv.conf, or 127.0.0.1:53 when it names none or is missing. */
    public static List<String> systemNameservers() {
        try {
            List<String> servers = parseNameservers(Files.readString(SYSTEM_FILE));
            return servers.isEmpty() ? List.of(FALLBACK) : servers;
        } catch (NoSuchFileException e) {
            return List.of(FALLBACK);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SYSTEM_FILE, e);
        }
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        int semi = line.indexOf(';');
        int cut = hash < 0 ? semi : (semi < 0 ? hash : Math.min(hash, semi));
        return cut < 0 ? line : line.substring(0, cut);
    }
}

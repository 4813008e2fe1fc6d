package io.mailroute.dns;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Describes where resolvers that were asked the same thing answered differently. */
final class Disagreements {

    private static final Set<MxClassification> WITH_MX =
            EnumSet.of(
                    MxClassification.OK, MxClassification.NULL_MX, MxClassification.NULL_MX_MIXED);

    private Disagreements() {}

    static List<String> ofMx(List<ResolverMxResult> results) {
        if (results.size() < 2) {
            return List.of(); // one resolver cannot disagree; spares every check the streams below
        }
        List<String> out = new ArrayList<>();
        if (results.stream().map(ResolverMxResult::classification).distinct().count() > 1) {
            out.add(
                    "classification differs: "
                            + results.stream()
                                    .map(r -> r.server() + "=" + r.classification())
                                    .collect(Collectors.joining(", ")));
        }
        List<ResolverMxResult> withMx =
                results.stream().filter(r -> WITH_MX.contains(r.classification())).toList();
        if (withMx.stream().map(ResolverMxResult::mxSet).distinct().count() > 1) {
            out.add(
                    "MX sets differ: "
                            + withMx.stream()
                                    .map(r -> r.server() + "=" + r.mxSet())
                                    .collect(Collectors.joining(", ")));
        }
        Map<String, List<HostView>> byHost = new LinkedHashMap<>();
        for (ResolverMxResult r : results) {
            r.hosts().stream()
                    .map(MxHostReport::host)
                    .distinct()
                    .forEach(
                            host -> {
                                MxHostReport h =
                                        r.hosts().stream()
                                                .filter(x -> x.host().equals(host))
                                                .findFirst()
                                                .get();
                                byHost.computeIfAbsent(host, k -> new ArrayList<>())
                                        .add(
                                                new HostView(
                                                        r.server(),
                                                        h.status(),
                                                        h.addresses(),
                                                        h.tcpNeeded()));
                            });
        }
        byHost.forEach((host, views) -> compare(host, views, out));
        return out;
    }

    static List<String> ofHost(String host, List<ResolverHostResult> results) {
        if (results.size() < 2) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        compare(
                host,
                results.stream()
                        .map(
                                r ->
                                        new HostView(
                                                r.server(),
                                                r.status(),
                                                r.addresses(),
                                                r.tcpNeeded()))
                        .toList(),
                out);
        return out;
    }

    private static void compare(String host, List<HostView> views, List<String> out) {
        if (views.size() < 2) {
            return;
        }
        if (views.stream().map(HostView::status).distinct().count() > 1) {
            out.add(
                    "host "
                            + host
                            + ": status differs: "
                            + views.stream()
                                    .map(v -> v.server + "=" + v.status)
                                    .collect(Collectors.joining(", ")));
            return;
        }
        if (views.stream().map(v -> Set.copyOf(v.addresses)).distinct().count() > 1) {
            String detail =
                    views.stream()
                            .map(
                                    v ->
                                            v.server
                                                    + "="
                                                    + v.addresses.size()
                                                    + " addresses ("
                                                    + (v.tcpNeeded ? "TCP" : "UDP")
                                                    + ")")
                            .collect(Collectors.joining(", "));
            boolean mixedTransport = views.stream().map(HostView::tcpNeeded).distinct().count() > 1;
            out.add(
                    "host "
                            + host
                            + ": addresses differ: "
                            + detail
                            + (mixedTransport
                                    ? "; a UDP answer may have been cut short without the TC flag"
                                    : ""));
        }
    }

    private record HostView(
            String server, HostStatus status, List<String> addresses, boolean tcpNeeded) {
        HostView {
            Objects.requireNonNull(addresses);
        }
    }
}

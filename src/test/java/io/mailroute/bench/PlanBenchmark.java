package io.mailroute.bench;

import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.dependent.RelayConfigLayout;
import io.mailroute.dependent.RelayRenderContext;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Planning and rendering one relay of N routes in-process (what every MailRelay reconcile does),
 * run by bench/plan.sh: {@code PlanBenchmark N [N ...]} prints a Markdown row per N with the median
 * of 7 timed runs after 3 warm-up runs, and the rendered size. Not a test: figures go to
 * docs/benchmarks.md.
 */
public final class PlanBenchmark {

    private PlanBenchmark() {}

    public static void main(String[] args) {
        RelayPlanner planner =
                new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new RenderPolicy(3)));
        MailRelay relay = Resources.relay("bench", "relay");
        System.out.println(
                "| routes (one domain each) | plan + render, every route new, median of 7 | plan +"
                        + " render, one route edited, median of 7 | ConfigMap layout after that"
                        + " edit (file order + config-hash + split + digests), median of 7 | rendered"
                        + " files | ConfigMaps | `postmap` of transport (lmdb), median of 3 |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String arg : args) {
            int n = Integer.parseInt(arg);
            List<MailRoute> routes = routes(n);
            // every route a new object: nothing planned before is reused (a new leader's first
            // plan, or every route changed)
            long[] millis = new long[7];
            RelayPlan plan = null;
            for (int run = -3; run < millis.length; run++) {
                List<MailRoute> fresh = routes.stream().map(PlanBenchmark::copy).toList();
                long start = System.nanoTime();
                plan = planner.plan(relay, fresh, Resources.NO_INPUTS);
                if (run >= 0) {
                    millis[run] = (System.nanoTime() - start) / 1_000_000;
                }
            }
            Arrays.sort(millis);
            // one route edited: the others are the objects planned before (the route cache keeps
            // an unchanged route's object). The edit gives the route another next hop, as
            // bench/driver.py's edits do, so its transport line changes and the relay's layout
            // (RelayRenderContext.render, timed apart: mailroute.relay.render.duration) follows
            // the layout of the plan before, as in the operator.
            long[] editMillis = new long[7];
            long[] renderMicros = new long[7];
            List<MailRoute> edited = new ArrayList<>(routes);
            String hashKey = PostfixConfig.newHashKey();
            // as MailRelayReconciler does: each rendering with the digests of the one before
            Map<String, List<RelayConfigLayout.Digested>> digests =
                    RelayRenderContext.render(plan.config().orElseThrow(), "bench", hashKey)
                            .digests();
            for (int run = -3; run < editMillis.length; run++) {
                int k = Math.floorMod(run * 7919, n);
                edited.set(k, withHost(routes.get(k), "edit" + (run + 3) + ".pinned.bench.test"));
                long start = System.nanoTime();
                RelayPlan editPlan = planner.plan(relay, edited, Resources.NO_INPUTS);
                long planned = System.nanoTime();
                digests =
                        RelayRenderContext.render(
                                        editPlan.config().orElseThrow(),
                                        "bench",
                                        hashKey,
                                        digests == null ? Map.of() : digests)
                                .digests();
                if (run >= 0) {
                    editMillis[run] = (planned - start) / 1_000_000;
                    renderMicros[run] = (System.nanoTime() - planned) / 1_000;
                }
            }
            Arrays.sort(editMillis);
            Arrays.sort(renderMicros);
            PostfixConfig config = plan.config().orElseThrow();
            long bytes =
                    config.mainCf().length()
                            + config.transport().length()
                            + config.tlsPolicy().length();
            if (plan.attachedRoutes() != n) {
                throw new IllegalStateException(
                        "only " + plan.attachedRoutes() + " of " + n + " routes attached");
            }
            RelayConfigLayout.Layout layout =
                    RelayRenderContext.render(config, "bench", hashKey).layout();
            System.out.printf(
                    "| %,d | %d ms | %d ms | %.1f ms | %,d bytes | %d | %s |%n",
                    n,
                    millis[3],
                    editMillis[3],
                    renderMicros[3] / 1000.0,
                    bytes,
                    1 + layout.shards().size(),
                    postmap(config));
        }
    }

    /**
     * {@code n} one-domain routes of relay bench/relay, pinned to 100 next hops, created within one
     * minute (creation times shared by about n/60 routes each).
     */
    static List<MailRoute> routes(int n) {
        List<MailRoute> routes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            MailRoute route =
                    Resources.pinnedRoute(
                            "bench",
                            "r" + i,
                            "relay",
                            "mx" + (i % 100) + ".bench.test",
                            "d" + i + ".bench.test");
            route.getMetadata()
                    .setCreationTimestamp(String.format("2026-01-01T00:00:%02dZ", i % 60));
            routes.add(route);
        }
        return routes;
    }

    /** The same route as a new object, as the route cache holds it after a change. */
    static MailRoute copy(MailRoute route) {
        MailRoute copy = new MailRoute();
        copy.setMetadata(route.getMetadata());
        copy.setSpec(route.getSpec());
        copy.setStatus(route.getStatus());
        return copy;
    }

    /** {@code route} after an edit that gave it the single next hop {@code host}. */
    static MailRoute withHost(MailRoute route, String host) {
        MailRoute edited =
                Resources.pinnedRoute(
                        route.getMetadata().getNamespace(),
                        route.getMetadata().getName(),
                        "relay",
                        host,
                        route.getSpec().domains.toArray(String[]::new));
        edited.getMetadata().setCreationTimestamp(route.getMetadata().getCreationTimestamp());
        return edited;
    }

    /**
     * Median wall time of 3 runs of {@code postmap -c DIR lmdb:DIR/transport} on the rendered
     * files.
     */
    private static String postmap(PostfixConfig config) {
        try {
            Path dir = Files.createTempDirectory("plan-bench");
            try {
                Files.writeString(dir.resolve("main.cf"), config.mainCf());
                Files.writeString(dir.resolve("transport"), config.transport());
                long[] millis = new long[3];
                for (int run = 0; run < millis.length; run++) {
                    long start = System.nanoTime();
                    Process p =
                            new ProcessBuilder(
                                            "postmap",
                                            "-c",
                                            dir.toString(),
                                            "lmdb:" + dir.resolve("transport"))
                                    .redirectErrorStream(true)
                                    .start();
                    String out = new String(p.getInputStream().readAllBytes());
                    if (p.waitFor() != 0) {
                        return "failed: " + out.strip();
                    }
                    millis[run] = (System.nanoTime() - start) / 1_000_000;
                }
                Arrays.sort(millis);
                return millis[1] + " ms";
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                }
            }
        } catch (IOException e) {
            return "not measured: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}

package io.mailroute.bench;

import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Planning and rendering one relay of N routes in-process (what every MailRelay reconcile does), run by
 * bench/plan.sh: {@code PlanBenchmark N [N ...]} prints a Markdown row per N with the median of 7 timed runs after
 * 3 warm-up runs, and the rendered size. Not a test: figures go to docs/benchmarks.md.
 */
public final class PlanBenchmark {

    private PlanBenchmark() {
    }

    public static void main(String[] args) {
        RelayPlanner planner = new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new RenderPolicy(3)));
        MailRelay relay = Resources.relay("bench", "relay");
        System.out.println("| routes (one domain each) | plan + render, median of 7 | rendered files |");
        System.out.println("|---|---|---|");
        for (String arg : args) {
            int n = Integer.parseInt(arg);
            List<MailRoute> routes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MailRoute route = Resources.pinnedRoute("bench", "r" + i, "relay", "mx" + (i % 100) + ".bench.test",
                        "d" + i + ".bench.test");
                route.getMetadata().setCreationTimestamp(String.format("2026-01-01T00:00:%02dZ", i % 60));
                routes.add(route);
            }
            long[] millis = new long[7];
            RelayPlan plan = null;
            for (int run = -3; run < millis.length; run++) {
                long start = System.nanoTime();
                plan = planner.plan(relay, routes, Resources.NO_INPUTS);
                if (run >= 0) {
                    millis[run] = (System.nanoTime() - start) / 1_000_000;
                }
            }
            Arrays.sort(millis);
            PostfixConfig config = plan.config().orElseThrow();
            long bytes = config.mainCf().length() + config.transport().length() + config.tlsPolicy().length();
            if (plan.attachedRoutes() != n) {
                throw new IllegalStateException("only " + plan.attachedRoutes() + " of " + n + " routes attached");
            }
            System.out.printf("| %,d | %d ms | %,d bytes |%n", n, millis[3], bytes);
        }
    }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH (bench/jmh.sh): the CPU work of one MailRelay reconcile of a relay of {@code routes}
 * one-domain routes, without API server: planning after one route was edited (the other routes are
 * the objects planned before, as the route cache keeps them), planning with every route a new
 * object (a new leader's first plan), and laying out the edited configuration into ConfigMaps with
 * the digests of the rendering before it, as the operator does. {@link PlanBenchmark} measures the
 * same steps with its own timing loop, together with {@code postmap}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RelayPlanJmh {

    @Param({"1000", "10000"})
    public int routes;

    private final RelayPlanner planner =
            new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new RenderPolicy(3)));
    private final MailRelay relay = Resources.relay("bench", "relay");
    private final String hashKey = PostfixConfig.newHashKey();
    private List<MailRoute> original;
    private List<MailRoute> current;
    private int edits;
    private PostfixConfig edited;
    private Map<String, List<RelayConfigLayout.Digested>> digestsBefore;

    @Setup(Level.Trial)
    public void routes() {
        original = PlanBenchmark.routes(routes);
        current = new ArrayList<>(original);
        PostfixConfig before = planner.plan(relay, current, Resources.NO_INPUTS).config().get();
        digestsBefore = RelayRenderContext.render(before, "bench", hashKey).digests();
        List<MailRoute> oneEdited = new ArrayList<>(original);
        oneEdited.set(routes / 2, PlanBenchmark.withHost(original.get(routes / 2), "edit.test"));
        edited = planner.plan(relay, oneEdited, Resources.NO_INPUTS).config().get();
    }

    /** One route gets another next hop (as bench/driver.py's edits do), then the relay plans. */
    @Benchmark
    public RelayPlan planAfterOneEdit() {
        int k = Math.floorMod(edits * 7919, routes);
        current.set(
                k,
                PlanBenchmark.withHost(original.get(k), "edit" + edits++ + ".pinned.bench.test"));
        return planner.plan(relay, current, Resources.NO_INPUTS);
    }

    /** Every route a new object: nothing translated before is reused. */
    @Benchmark
    public RelayPlan planEveryRouteNew() {
        List<MailRoute> fresh = new ArrayList<>(routes);
        for (MailRoute route : original) {
            fresh.add(PlanBenchmark.copy(route));
        }
        return planner.plan(relay, fresh, Resources.NO_INPUTS);
    }

    /** File order, shards, config-hash and part digests of the edited configuration. */
    @Benchmark
    public RelayRenderContext layOutAfterOneEdit() {
        return RelayRenderContext.render(edited, "bench", hashKey, digestsBefore);
    }
}

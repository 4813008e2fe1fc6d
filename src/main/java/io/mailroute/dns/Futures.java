package io.mailroute.dns;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The two steps every asynchronous stage of the engine (and the operator's check line) repeats,
 * written as static methods rather than lambdas: the continuations that call them are classes, as
 * capturing lambdas cost a native allocation under the operator image's C1-only JIT.
 */
public final class Futures {
    private Futures() {}

    /** The future {@code work} returns, or a failed one when starting it threw. */
    public static <T> CompletableFuture<T> started(Supplier<CompletableFuture<T>> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes {@code future} with {@code value}, or exceptionally when {@code error} is set. */
    public static <T> void settle(CompletableFuture<T> future, T value, Throwable error) {
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(value);
        }
    }
}

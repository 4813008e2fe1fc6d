/**
 * Code that exists only for Kubernetes 1.20, the version of the test control plane
 * (hack/control-plane.sh builds kube-apiserver v1.20.2) and of the test cluster; every supported
 * cluster (1.25+) takes the normal path. When the tests move to a newer Kubernetes, delete this
 * package in one commit together with its three touch points, all marked "k8s 1.20 compat":
 *
 * <ul>
 *   <li>{@code MailRelayReconciler}'s workflow: the {@code pdb-v1beta1} dependent and the {@code
 *       activationCondition = PolicyV1Served.class} of the {@code pdb} dependent;
 *   <li>{@code RelayServiceDependent}: {@code useSSA = BooleanWithUndefined.FALSE} (1.20 rejects
 *       creating a Service by server-side apply);
 *   <li>this package: {@link io.mailroute.compat.k8s120.RelayDisruptionBudgetV1beta1Dependent} (the
 *       {@code policy/v1beta1} PodDisruptionBudget), {@link io.mailroute.compat.k8s120.PolicyApi}
 *       (API discovery with a static cache) and {@link io.mailroute.compat.k8s120.PolicyV1Served}.
 * </ul>
 *
 * docs/design.md lists the same. LayeringTest keeps everything else from depending on this package.
 */
package io.mailroute.compat.k8s120;

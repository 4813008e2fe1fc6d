#!/usr/bin/env python3
"""Load driver for bench/scale.sh: talks to the API server directly (token + CA from hack/control-plane.sh env).

  driver.py create N      creates N MailRoutes (one domain each, target mx) on relay bench/bench, then waits until
                          every route is Ready and every domain has its line in the relay ConfigMap; prints JSON
  driver.py edit K        edits K routes one after another (new pinned host), timing each until its line is in the
                          ConfigMap; counts status writes of other routes meanwhile; prints JSON
Loops are bounded (deadlines); only the loopback API server is contacted.
"""
import concurrent.futures
import json
import os
import ssl
import sys
import time
import urllib.request

API = os.environ["MAILROUTE_API_URL"]
TOKEN = os.environ["MAILROUTE_API_TOKEN"]
CTX = ssl.create_default_context(cafile=os.environ["MAILROUTE_API_CA_FILE"])
NS = "bench"
ROUTES = f"{API}/apis/mailroute.io/v1alpha1/namespaces/{NS}/mailroutes"
CONFIGMAP = f"{API}/api/v1/namespaces/{NS}/configmaps/bench-config"


def call(method, url, body=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, context=CTX, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def route(i):
    return {"apiVersion": "mailroute.io/v1alpha1", "kind": "MailRoute",
            "metadata": {"name": f"r{i}", "namespace": NS},
            "spec": {"relayRefs": [{"name": "bench"}], "domains": [f"d{i}.bench.test"],
                     "target": {"mx": {"port": 25}}, "tls": "may", "validation": "Enforce"}}


def ready_count():
    items = call("GET", ROUTES)["items"]
    ready = 0
    for item in items:
        for c in (item.get("status") or {}).get("conditions") or []:
            if c["type"] == "Ready" and c["status"] == "True" and \
                    (item["status"].get("observedGeneration") == item["metadata"]["generation"]):
                ready += 1
    return len(items), ready


def transport():
    try:
        cm = call("GET", CONFIGMAP)
    except urllib.error.HTTPError:
        return {}
    text = "".join((cm.get("data") or {}).get(k, "") for k in sorted((cm.get("data") or {})) if k.startswith("transport"))
    lines = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            lines[key] = value
    return lines


def create(n):
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: call("POST", ROUTES, route(i)), range(n)))
    created = time.monotonic()
    deadline = created + float(os.environ.get("BENCH_DEADLINE", "900"))
    ready = lines = 0
    ready_at = lines_at = None
    while time.monotonic() < deadline:
        total, ready = ready_count()
        lines = sum(1 for k in transport() if k.startswith("d") and k.endswith(".bench.test"))
        now = time.monotonic()
        if lines >= n and lines_at is None:
            lines_at = now
        if ready >= n:
            ready_at = now
            break
        time.sleep(1 if n > 1000 else 0.25)
    return {"routes": n, "create_seconds": round(created - start, 1),
            "ready_after_last_create_s": None if ready_at is None else round(ready_at - created, 1),
            "lines_after_last_create_s": None if lines_at is None else round(lines_at - created, 1),
            "ready": ready, "lines": lines}


def edit(k, n):
    latencies = []
    for j in range(k):
        i = (j * 7919) % n
        host = f"edit{j}.pinned.bench.test"
        before = call("GET", f"{ROUTES}/r{i}")["metadata"]["resourceVersion"]
        t0 = time.monotonic()
        call("PATCH", f"{ROUTES}/r{i}", {"spec": {"target": {"mx": None, "hosts": [{"host": host}]}}},
             "application/merge-patch+json")
        deadline = t0 + 30
        while time.monotonic() < deadline:
            if f"[{host}]:25" in transport().get(f"d{i}.bench.test", ""):
                latencies.append((time.monotonic() - t0) * 1000)
                break
            time.sleep(0.02)
        else:
            latencies.append(float("inf"))
    latencies.sort()
    pct = lambda p: round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 0)
    return {"edits": k, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(latencies[-1], 0)}


if __name__ == "__main__":
    if sys.argv[1] == "create":
        print(json.dumps(create(int(sys.argv[2]))))
    elif sys.argv[1] == "edit":
        print(json.dumps(edit(int(sys.argv[2]), int(sys.argv[3]))))
    elif sys.argv[1] == "ready":
        print(json.dumps(dict(zip(("routes", "ready"), ready_count()))))
    else:
        sys.exit("usage: driver.py create N | edit K N | ready")

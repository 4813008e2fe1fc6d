#!/usr/bin/env python3
"""Load driver for bench/scale.sh: talks to the API server directly (token + CA from hack/control-plane.sh env).

  driver.py create N      creates N MailRoutes (one domain each, target mx) on relay bench/bench, then waits until
                          every route is Ready and every domain has its line in the relay ConfigMap; counts each
                          route's status writes meanwhile (and the commonest sequences of 3 or more); prints JSON
  driver.py edit K N      edits K of the N routes one after another (new pinned host), timing each until its line
                          is in the ConfigMap; counts status writes of the edited and of all other routes
                          meanwhile; prints JSON
  driver.py ready         how many routes exist and are Ready (JSON)

Progress is followed through watches (one stream of MailRoute events, one of the relay ConfigMap), not by listing
10,000 routes or fetching the ConfigMap again and again: polling would load the API server the benchmark measures.
Loops are bounded (deadlines); only the loopback API server is contacted.
"""
import concurrent.futures
import hashlib
import json
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request

API = os.environ["MAILROUTE_API_URL"]
TOKEN = os.environ["MAILROUTE_API_TOKEN"]
CTX = ssl.create_default_context(cafile=os.environ["MAILROUTE_API_CA_FILE"])
NS = "bench"
ROUTES = f"{API}/apis/mailroute.io/v1alpha1/namespaces/{NS}/mailroutes"
CONFIGMAPS = f"{API}/api/v1/namespaces/{NS}/configmaps"
CONFIGMAP_NAME = "bench-config"


def call(method, url, body=None, content_type="application/json", timeout=60, attempts=5):
    """One API request; retried (bounded) on timeouts and 5xx/429, as a client under load would."""
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {TOKEN}")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=CTX, timeout=timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            if method == "POST" and e.code == 409 and attempt > 0:
                return None  # created by the attempt that timed out
            if e.code < 500 and e.code != 429 or attempt == attempts - 1:
                raise
        except (TimeoutError, OSError):
            if attempt == attempts - 1:
                raise
        time.sleep(0.5 * (attempt + 1))


def route(i):
    return {"apiVersion": "mailroute.io/v1alpha1", "kind": "MailRoute",
            "metadata": {"name": f"r{i}", "namespace": NS},
            "spec": {"relayRefs": [{"name": "bench"}], "domains": [f"d{i}.bench.test"],
                     "target": {"mx": {"port": 25}}, "tls": "may", "validation": "Enforce"}}


def is_ready(item):
    status = item.get("status") or {}
    if status.get("observedGeneration") != item["metadata"].get("generation"):
        return False
    return any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or [])


PARSED = {}  # sha256 of a part -> its lines: an edit changes one part, the others are not parsed again


def parse(text):
    lines = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            lines[key] = value
    return lines


def transport_lines(configmaps):
    """The relay's transport lines as the relay would reassemble them (RelayConfigLayout): inline in the main
    ConfigMap, or the parts its manifest names, each matching its digest; None while shards and manifest are not in
    step (shards are written first)."""
    main = configmaps.get(CONFIGMAP_NAME) or {}
    if "transport" in main:
        return parse(main["transport"])
    lines = {}
    for entry in (main.get("transport.parts") or "").splitlines():
        if not entry.strip():
            continue
        key, shard, digest = entry.split(" ")
        part = (configmaps.get(f"{CONFIGMAP_NAME}-{shard}") or {}).get(key)
        if part is None or hashlib.sha256(part.encode()).hexdigest() != digest:
            return None
        if digest not in PARSED:
            PARSED[digest] = parse(part)
        lines.update(PARSED[digest])
    return lines


class Watch(threading.Thread):
    """Lists then watches a collection; calls on_event(kind, obj) for the list's items (ADDED) and every event;
    lists again when the watch expires. Stops at stop()."""

    def __init__(self, url, on_event):
        super().__init__(daemon=True)
        self.url, self.on_event, self.stopped = url, on_event, threading.Event()
        self.synced = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            listing = call("GET", self.url, timeout=120)
            rv = listing["metadata"]["resourceVersion"]
            for item in listing["items"]:
                self.on_event("ADDED", item)
            self.synced.set()
            sep = "&" if "?" in self.url else "?"
            req = urllib.request.Request(f"{self.url}{sep}watch=1&resourceVersion={rv}&timeoutSeconds=300")
            req.add_header("Authorization", f"Bearer {TOKEN}")
            try:
                with urllib.request.urlopen(req, context=CTX, timeout=330) as resp:
                    for line in resp:
                        if self.stopped.is_set():
                            return
                        event = json.loads(line)
                        if event["type"] == "ERROR":
                            break  # e.g. 410 Gone: list again
                        self.on_event(event["type"], event["object"])
            except (TimeoutError, OSError):
                pass

    def stop(self):
        self.stopped.set()


class State:
    """What the watches saw: route readiness and status versions, the ConfigMap's transport lines."""

    def __init__(self):
        self.lock = threading.Condition()
        self.ready = {}
        self.status = {}
        self.status_writes = {}
        self.history = {}  # route -> what each of its status writes said (summary), while creating
        self.diffs = []  # what changed in a few third-or-later writes
        self.lines = {}
        self.configmaps = {}  # name -> data of the relay's ConfigMaps (main and shards)

    def route_event(self, kind, item):
        name = item["metadata"]["name"]
        status = json.dumps(item.get("status"), sort_keys=True)
        with self.lock:
            if kind == "DELETED":
                self.ready.pop(name, None)
                self.status.pop(name, None)
            else:
                if kind == "MODIFIED" and self.status.get(name) != status:
                    self.status_writes[name] = self.status_writes.get(name, 0) + 1
                    self.history.setdefault(name, []).append(summary(item.get("status") or {}))
                    if self.status.get(name) is not None and len(self.history[name]) >= 3 and len(self.diffs) < 5:
                        self.diffs.append(difference(json.loads(self.status[name]) or {}, item.get("status") or {}))
                self.status[name] = status
                self.ready[name] = is_ready(item)
            self.lock.notify_all()

    def configmap_event(self, kind, cm):
        with self.lock:
            name = cm["metadata"]["name"]
            if kind == "DELETED":
                self.configmaps.pop(name, None)
            else:
                self.configmaps[name] = cm.get("data") or {}
            lines = transport_lines(self.configmaps)
            if lines is not None:
                self.lines = lines
            self.lock.notify_all()


def summary(status):
    """One status write in a few words: Accepted/Programmed reasons and Ready, e.g. Accepted/Programmed/Ready."""
    c = {x["type"]: x for x in status.get("conditions") or []}
    ready = "Ready" if (c.get("Ready") or {}).get("status") == "True" else "notReady"
    return "/".join([(c.get("Accepted") or {}).get("reason", "-"), (c.get("Programmed") or {}).get("reason", "-"),
                     ready])


def difference(before, after):
    """The status fields (conditions by type) whose values differ between two writes."""
    out = []
    for key in sorted(set(before) | set(after)):
        if key == "conditions":
            b = {c["type"]: c for c in before.get(key) or []}
            a = {c["type"]: c for c in after.get(key) or []}
            for t in sorted(set(a) | set(b)):
                fields = sorted(f for f in set(a.get(t, {})) | set(b.get(t, {})) if a.get(t, {}).get(f) != b.get(t, {}).get(f))
                if fields:
                    out.append(f"{t}.{'/'.join(fields)}")
        elif before.get(key) != after.get(key):
            out.append(key)
    return ",".join(out)


def write_counts(history, n):
    """Routes by number of status writes while creating and settling, and the commonest sequences of 3+ writes."""
    counts = {}
    for name in (f"r{i}" for i in range(n)):
        k = len(history.get(name, []))
        counts[k] = counts.get(k, 0) + 1
    seqs = {}
    for writes in history.values():
        if len(writes) >= 3:
            key = " > ".join(writes)
            seqs[key] = seqs.get(key, 0) + 1
    top = sorted(seqs.items(), key=lambda kv: -kv[1])[:3]
    return {"routes_by_writes": dict(sorted(counts.items())), "top_sequences_3plus": top}


def watching():
    state = State()
    routes = Watch(ROUTES, state.route_event)
    # the main ConfigMap and its shards (a relay of more than about 2,000 routes spreads its maps over them)
    configmap = Watch(f"{CONFIGMAPS}?labelSelector=mailroute.io%2Frelay%3Dbench", state.configmap_event)
    for w in (routes, configmap):
        w.start()
        w.synced.wait(120)
    return state, (routes, configmap)


def create(n):
    state, watches = watching()
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: call("POST", ROUTES, route(i)), range(n)))
    created = time.monotonic()
    deadline = created + float(os.environ.get("BENCH_DEADLINE", "900"))
    ready = lines = 0
    ready_at = lines_at = None
    operator = int(os.environ.get("BENCH_OPERATOR_PID", "0"))
    with state.lock:
        while time.monotonic() < deadline:
            if operator and not os.path.exists(f"/proc/{operator}"):
                sys.exit(f"the operator (pid {operator}) exited; see its log")
            ready = sum(1 for r in state.ready.values() if r)
            lines = sum(1 for k in state.lines if k.startswith("d") and k.endswith(".bench.test"))
            now = time.monotonic()
            if lines >= n and lines_at is None:
                lines_at = now
            if ready >= n and lines_at is not None:
                ready_at = now
                break
            state.lock.wait(0.5)
    for w in watches:
        w.stop()
    with state.lock:
        writes = write_counts(state.history, n)
        writes["third_write_changes"] = state.diffs
    return {"routes": n, "create_seconds": round(created - start, 1), **writes,
            "ready_after_last_create_s": None if ready_at is None else round(ready_at - created, 1),
            "lines_after_last_create_s": None if lines_at is None else round(lines_at - created, 1),
            "ready": ready, "lines": lines}


def edit(k, n):
    state, watches = watching()
    time.sleep(2)  # let writes still under way from the create phase pass before counting
    with state.lock:
        state.status_writes = {}
    latencies, edited = [], set()
    for j in range(k):
        i = (j * 7919) % n
        edited.add(f"r{i}")
        host = f"edit{j}.pinned.bench.test"
        t0 = time.monotonic()
        call("PATCH", f"{ROUTES}/r{i}", {"spec": {"target": {"mx": None, "hosts": [{"host": host}]}}},
             "application/merge-patch+json")
        deadline = t0 + 30
        with state.lock:
            while time.monotonic() < deadline and f"[{host}]:25" not in state.lines.get(f"d{i}.bench.test", ""):
                state.lock.wait(0.05)
            found = f"[{host}]:25" in state.lines.get(f"d{i}.bench.test", "")
        latencies.append((time.monotonic() - t0) * 1000 if found else float("inf"))
    time.sleep(5)  # status writes that follow the last edit
    with state.lock:
        writes = dict(state.status_writes)
    for w in watches:
        w.stop()
    latencies.sort()
    pct = lambda p: round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 0)
    return {"edits": k, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(latencies[-1], 0),
            "edited_status_writes": sum(v for r, v in writes.items() if r in edited),
            "other_status_writes": sum(v for r, v in writes.items() if r not in edited),
            "other_routes_written": sum(1 for r in writes if r not in edited)}


def ready():
    items = call("GET", ROUTES, timeout=120)["items"]
    return {"routes": len(items), "ready": sum(1 for i in items if is_ready(i))}


if __name__ == "__main__":
    if sys.argv[1] == "create":
        print(json.dumps(create(int(sys.argv[2]))))
    elif sys.argv[1] == "edit":
        print(json.dumps(edit(int(sys.argv[2]), int(sys.argv[3]))))
    elif sys.argv[1] == "ready":
        print(json.dumps(ready()))
    else:
        sys.exit("usage: driver.py create N | edit K N | ready")

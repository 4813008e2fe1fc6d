#!/usr/bin/env python3
"""Demo stand-in for the kubelet: copies a ConfigMap's or Secret's keys into a directory (atomic per file).

usage: sync-mount.py KUBECTL configmap|secret NAMESPACE NAME DIR
"""
import base64
import json
import os
import subprocess
import sys

kubectl, kind, namespace, name, target = sys.argv[1:6]
result = subprocess.run([kubectl, "get", kind, name, "-n", namespace, "-o", "json"], capture_output=True, text=True)
data = {}
if result.returncode == 0:
    obj = json.loads(result.stdout)
    data = obj.get("data") or {}
    if kind == "secret":
        data = {k: base64.b64decode(v).decode() for k, v in data.items()}
os.makedirs(target, exist_ok=True)
for key, value in data.items():
    path = os.path.join(target, key)
    current = open(path).read() if os.path.exists(path) else None
    if current != value:
        with open(path + ".tmp", "w") as f:
            f.write(value)
        os.replace(path + ".tmp", path)
for key in os.listdir(target):
    if key not in data and not key.endswith(".tmp"):
        os.remove(os.path.join(target, key))

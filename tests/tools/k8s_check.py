#!/usr/bin/python3
"""Checks Kubernetes manifests offline, against the API's own models.

kubectl cannot check a manifest without a cluster to ask for its
resources. Debian's python3-kubernetes carries a model class for every
kind, with each field's name and type: every object of the YAML files
given is read into its class and written back, and whatever does not come
back the same (a misspelt field, a field at the wrong level, a number
where a string goes) is reported. Required fields left out are refused
by the models themselves.

k8s_check.py FILE...: exit 0 and the objects, as one JSON list on
stdout, when all of them pass; else exit 1 with one line per fault on
stderr.
"""
import json
import sys

import yaml
from kubernetes import client

# kind -> (apiVersion, model class name)
KINDS = {
    "Namespace": ("v1", "V1Namespace"),
    "ServiceAccount": ("v1", "V1ServiceAccount"),
    "DaemonSet": ("apps/v1", "V1DaemonSet"),
}


def differences(want, got, path):
    """Where got, the object written back, differs from want."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            if k not in got:
                yield f"{path}.{k}: not a field of the API"
            else:
                yield from differences(want[k], got[k], f"{path}.{k}")
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            yield from differences(w, g, f"{path}[{i}]")
    elif want != got:
        yield f"{path}: {json.dumps(want)} reads as {json.dumps(got)}"


def check(doc, where):
    kind = doc.get("kind")
    if kind not in KINDS:
        return [f"{where}: kind {kind!r} is none of {', '.join(KINDS)}"]
    version, model = KINDS[kind]
    if doc.get("apiVersion") != version:
        return [f"{where}: {kind} is apiVersion {version}"]
    api = client.ApiClient()
    try:
        obj = api._ApiClient__deserialize(doc, model)
    except (ValueError, TypeError) as e:
        return [f"{where}: {e}"]
    back = api.sanitize_for_serialization(obj)
    return [f"{where}: {d}" for d in differences(doc, back, kind)]


def main():
    objects, faults = [], []
    for name in sys.argv[1:]:
        with open(name) as f:
            for i, doc in enumerate(yaml.safe_load_all(f)):
                if doc is None:
                    continue
                faults += check(doc, f"{name}#{i}")
                objects.append(doc)
    for fault in faults:
        print(f"k8s_check: {fault}", file=sys.stderr)
    if not objects:
        print("k8s_check: no object in the files given", file=sys.stderr)
        return 1
    json.dump(objects, sys.stdout)
    print()
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Checks deploy/kubernetes and deploy/systemd against the real binaries.

Every YAML document parses; every Deployment's container flags exist in its
binary's --help; every probe is a gRPC probe on the container's port named
grpc (and --listen serves that port); Services expose a port named grpc;
each Deployment has a PodDisruptionBudget, resource requests and limits, and
runs non-root on a read-only root filesystem; every ConfigMap and Secret a
Deployment names is defined; the systemd units' ExecStart flags exist too.

Usage: manifests_test.py BUILD_DIR
"""
import configparser
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = sys.argv[1]
BINARIES = {
    "shien_budget_server": "services/budget/shien_budget_server",
    "shien_kpi_server": "services/kpi/shien_kpi_server",
    "shien_subsidy_server": "services/subsidy/shien_subsidy_server",
}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


_help_cache = {}


def flags_of(binary_name):
    """The flags the binary's --help lists."""
    if binary_name not in _help_cache:
        path = os.path.join(BUILD, BINARIES[binary_name])
        out = subprocess.run([path, "--help"], capture_output=True, text=True)
        _help_cache[binary_name] = set(re.findall(r"^\s+--([a-z_0-9]+)", out.stdout + out.stderr, re.M))
        check(len(_help_cache[binary_name]) > 10, f"{binary_name} --help lists too few flags")
    return _help_cache[binary_name]


def check_flags(where, binary_name, args):
    known = flags_of(binary_name)
    for arg in args:
        if not arg.startswith("--"):
            continue
        name = arg[2:].split("=", 1)[0]
        check(name in known, f"{where}: --{name} is not a flag of {binary_name}")


# Kubernetes.
k8s = os.path.join(ROOT, "deploy", "kubernetes")
docs = []
for file in sorted(os.listdir(k8s)):
    if file.endswith((".yaml", ".yml")) and file != "kustomization.yaml":
        with open(os.path.join(k8s, file)) as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    docs.append((file, doc))
check(docs, "no Kubernetes manifests")
kinds = {}
for file, doc in docs:
    check("kind" in doc and "metadata" in doc, f"{file}: a document without kind/metadata")
    kinds.setdefault(doc.get("kind"), []).append((file, doc))

with open(os.path.join(k8s, "kustomization.yaml")) as f:
    listed = yaml.safe_load(f)["resources"]
for name in listed:
    check(os.path.exists(os.path.join(k8s, name)), f"kustomization lists missing {name}")

defined = {(doc["kind"], doc["metadata"]["name"]) for _, doc in docs}
deployments = kinds.get("Deployment", [])
check(len(deployments) == 3, f"expected 3 Deployments, found {len(deployments)}")
for file, dep in deployments:
    name = dep["metadata"]["name"]
    labels = dep["spec"]["selector"]["matchLabels"]
    pod = dep["spec"]["template"]["spec"]
    check(pod.get("securityContext", {}).get("runAsNonRoot") is True, f"{name}: not runAsNonRoot")
    for c in pod["containers"]:
        where = f"{name}/{c['name']}"
        binary = os.path.basename(c["command"][0])
        check(binary in BINARIES, f"{where}: unknown binary {binary}")
        if binary not in BINARIES:
            continue
        check_flags(where, binary, c.get("args", []))
        grpc_ports = [p["containerPort"] for p in c.get("ports", []) if p.get("name") == "grpc"]
        check(len(grpc_ports) == 1, f"{where}: needs exactly one port named grpc")
        port = grpc_ports[0] if grpc_ports else None
        listen = [a for a in c.get("args", []) if a.startswith("--listen=")]
        check(listen and listen[0].endswith(f":{port}"), f"{where}: --listen does not serve port {port}")
        for probe in ("readinessProbe", "livenessProbe"):
            p = c.get(probe)
            check(p is not None and "grpc" in p, f"{where}: {probe} is not a gRPC probe")
            if p and "grpc" in p:
                check(p["grpc"].get("port") == port, f"{where}: {probe} does not point at the grpc port")
        check(c["readinessProbe"]["grpc"].get("service", "").startswith("shien."),
              f"{where}: readiness must follow the service's own health")
        res = c.get("resources", {})
        check("requests" in res and "limits" in res, f"{where}: needs resource requests and limits")
        sc = c.get("securityContext", {})
        check(sc.get("readOnlyRootFilesystem") is True, f"{where}: root filesystem not read-only")
        check(sc.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation allowed")
        for src in c.get("envFrom", []):
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if key in src:
                    check((kind, src[key]["name"]) in defined, f"{where}: {kind} {src[key]['name']} undefined")
        for env in c.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                check(("Secret", ref["name"]) in defined, f"{where}: Secret {ref['name']} undefined")
    for vol in pod.get("volumes", []):
        if "secret" in vol:
            check(("Secret", vol["secret"]["secretName"]) in defined, f"{name}: Secret volume undefined")
    pdbs = [d for _, d in kinds.get("PodDisruptionBudget", [])
            if d["spec"]["selector"]["matchLabels"] == labels]
    check(len(pdbs) == 1, f"{name}: needs one PodDisruptionBudget")
    services = [d for _, d in kinds.get("Service", []) if d["spec"].get("selector") == labels]
    check(len(services) >= 1, f"{name}: no Service")
    for svc in services:
        check(any(p.get("name") == "grpc" for p in svc["spec"]["ports"]),
              f"Service {svc['metadata']['name']}: no port named grpc")

# systemd.
units = os.path.join(ROOT, "deploy", "systemd")
count = 0
for file in sorted(os.listdir(units)):
    if not file.endswith(".service"):
        continue
    count += 1
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(os.path.join(units, file))
    exec_start = parser["Service"]["ExecStart"].split()
    binary = os.path.basename(exec_start[0])
    check(binary in BINARIES, f"{file}: unknown binary {binary}")
    if binary in BINARIES:
        check_flags(file, binary, exec_start[1:])
    check(parser["Service"].get("User") not in (None, "root"), f"{file}: runs as root")
    check(parser["Service"].get("ExecReload", "").endswith("-HUP $MAINPID"), f"{file}: reload is not SIGHUP")
check(count == 3, f"expected 3 systemd units, found {count}")

for f in failures:
    print("FAIL:", f)
print(f"{len(docs)} manifests, {count} units checked; {len(failures)} failures")
sys.exit(1 if failures else 0)

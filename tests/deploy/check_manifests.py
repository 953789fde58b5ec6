#!/usr/bin/env python3
"""Checks the deployment files under deploy/ against each other and against the binaries they start.

Flags come from the binaries at test time (`modelregd --helpfull`, `modelreg-health-probe --help`), so a renamed or
removed flag fails here. Checked:
- every YAML document parses; Kubernetes objects use known apiVersion/kind pairs; kustomization lists every manifest;
- the Deployment's modelregd arguments, the compose services' commands, the Dockerfile's CMD, the systemd unit's
  ExecStart and the packaged flags file use only flags modelregd defines (the flags file with the underscore names
  absl's --flagfile needs); FLAGS_<name> variables name a flag listed in --fromenv;
- ports: the container port, the compose port mappings, the Dockerfile's EXPOSE and HEALTHCHECK, the probes and the
  Services' targetPorts agree with the --listen port; the probes' options exist in modelreg-health-probe;
- selectors of the Services, the PodDisruptionBudget and the NetworkPolicy match the Deployment's pod labels; the TLS
  files are under a mounted Secret; the database URL comes from the CloudNativePG cluster's `<name>-app` Secret
  (key `uri`) and the cluster has 3 instances with synchronous replication.

Usage: check_manifests.py SOURCE_DIR MODELREGD HEALTH_PROBE
Runs every check once on the files as they are (all must pass) and then on deliberately broken copies (each must be
reported), so a checker that stopped checking fails too.
"""
import copy
import glob
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

KNOWN_KINDS = {
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("policy/v1", "PodDisruptionBudget"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"),
}
MODELREGD_COMMANDS = {"serve", "migrate", "reassess", "tokens"}


def help_flags(command, pattern):
    out = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False).stdout
    flags = set(re.findall(pattern, out, re.M))
    if not flags:
        raise SystemExit(f"no flags found in the output of {command}:\n{out}")
    return flags


class Checker:
    def __init__(self, modelregd_flags, probe_flags):
        self.modelregd_flags = modelregd_flags  # underscore names, as absl defines them
        self.probe_flags = probe_flags  # dash names, as CLI11 defines them
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    # modelregd's command line accepts dashes for underscores (server/common/command_line.cc); a flagfile does not.
    def modelregd_args(self, where, args, command_line=True):
        flags = {}
        for arg in args:
            if not arg.startswith("--"):
                if arg not in MODELREGD_COMMANDS:
                    self.error(where, f"`{arg}` is not a modelregd command")
                continue
            name, _, value = arg[2:].partition("=")
            if command_line:
                name = name.replace("-", "_")
            if name not in self.modelregd_flags:
                self.error(where, f"modelregd has no flag --{name}")
            flags[name] = value
        return flags

    def environment_flags(self, where, flags, env_names):
        from_env = set(filter(None, flags.get("fromenv", "").split(","))) | set(
            filter(None, flags.get("tryfromenv", "").split(",")))
        for env in env_names:
            if not env.startswith("FLAGS_"):
                continue
            name = env[len("FLAGS_"):]
            if name not in self.modelregd_flags:
                self.error(where, f"{env} names no modelregd flag")
            if name not in from_env:
                self.error(where, f"{env} is set but --fromenv does not list {name}")
        for name in from_env:
            if f"FLAGS_{name}" not in env_names:
                self.error(where, f"--fromenv={name} but FLAGS_{name} is not set")

    def listen_port(self, where, flags):
        listen = flags.get("listen")
        if not listen or not re.fullmatch(r".+:\d+", listen):
            self.error(where, f"no --listen host:port (got {listen!r})")
            return None
        return int(listen.rsplit(":", 1)[1])

    def probe_command(self, where, command, port):
        if not command or os.path.basename(command[0]) != "modelreg-health-probe":
            self.error(where, f"probe runs {command[:1]}, not modelreg-health-probe")
            return
        for arg in command[1:]:
            if arg.startswith("$"):
                continue  # a shell variable carrying more options (the Dockerfile's MODELREG_PROBE_ARGS)
            name, _, value = arg.partition("=")
            if name not in self.probe_flags:
                self.error(where, f"modelreg-health-probe has no option {name}")
            if name == "--addr" and port is not None and not value.endswith(f":{port}"):
                self.error(where, f"probe address {value} is not the --listen port {port}")

    # Kubernetes -------------------------------------------------------------------------------------------------
    def kubernetes(self, docs_by_file, kustomization):
        objects = [(path, doc) for path, docs in docs_by_file.items() for doc in docs]
        for path, doc in objects:
            pair = (doc.get("apiVersion"), doc.get("kind"))
            if pair not in KNOWN_KINDS:
                self.error(path, f"unknown apiVersion/kind {pair}")
        listed = set(kustomization.get("resources", []))
        for path in docs_by_file:
            if os.path.basename(path) not in listed:
                self.error("kustomization.yaml", f"does not list {os.path.basename(path)}")
        for name in listed:
            if not any(os.path.basename(p) == name for p in docs_by_file):
                self.error("kustomization.yaml", f"lists {name}, which does not exist")

        def of_kind(kind):
            return [(p, d) for p, d in objects if d.get("kind") == kind]

        clusters = {d["metadata"]["name"]: d for _, d in of_kind("Cluster")}
        for name, cluster in clusters.items():
            spec = cluster.get("spec", {})
            if spec.get("instances") != 3:
                self.error(f"Cluster {name}", f"instances {spec.get('instances')}, expected 3")
            sync = spec.get("postgresql", {}).get("synchronous", {})
            if sync.get("method") not in ("any", "first") or int(sync.get("number", 0)) < 1:
                self.error(f"Cluster {name}", f"no synchronous replication: {sync}")

        deployments = of_kind("Deployment")
        if not deployments:
            self.error("kubernetes", "no Deployment")
        pod_labels = {}
        container_ports = {}
        for path, deployment in deployments:
            name = deployment["metadata"]["name"]
            where = f"{os.path.basename(path)} Deployment {name}"
            spec = deployment["spec"]
            if spec.get("replicas", 1) < 2:
                self.error(where, "fewer than 2 replicas")
            labels = spec["template"]["metadata"]["labels"]
            if any(labels.get(k) != v for k, v in spec["selector"]["matchLabels"].items()):
                self.error(where, "selector does not match the pod template's labels")
            pod = spec["template"]["spec"]
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            for container in pod["containers"]:
                cwhere = f"{where} container {container['name']}"
                flags = self.modelregd_args(cwhere, container.get("args", []))
                env = {e["name"]: e for e in container.get("env", [])}
                self.environment_flags(cwhere, flags, set(env))
                db = env.get("FLAGS_database_url", {}).get("valueFrom", {}).get("secretKeyRef", {})
                if not db:
                    self.error(cwhere, "the database URL does not come from a Secret")
                elif db.get("name") not in {f"{c}-app" for c in clusters} or db.get("key") != "uri":
                    self.error(cwhere, f"database URL from {db}, not the CloudNativePG `<cluster>-app` Secret's uri")
                port = self.listen_port(cwhere, flags)
                ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
                if port not in ports.values():
                    self.error(cwhere, f"no containerPort for the --listen port {port}")
                container_ports.setdefault(name, set()).update(ports.values())
                container_ports[name].update(n for n in ports if n)
                for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
                    probe = container.get(probe_name)
                    if probe is None:
                        if probe_name != "startupProbe":
                            self.error(cwhere, f"no {probe_name}")
                        continue
                    if "exec" in probe:
                        self.probe_command(f"{cwhere} {probe_name}", probe["exec"]["command"], port)
                    elif "grpc" in probe:
                        if probe["grpc"].get("port") != port:
                            self.error(cwhere, f"{probe_name} grpc port {probe['grpc'].get('port')} is not {port}")
                    else:
                        self.error(cwhere, f"{probe_name} is neither exec nor grpc")
                resources = container.get("resources", {})
                for part in ("requests", "limits"):
                    if not {"cpu", "memory"} & set(resources.get(part, {})):
                        self.error(cwhere, f"no resource {part}")
                mounts = {m["mountPath"].rstrip("/"): m["name"] for m in container.get("volumeMounts", [])}
                for tls_flag in ("tls_cert", "tls_key"):
                    path_value = flags.get(tls_flag)
                    if not path_value:
                        self.error(cwhere, f"no --{tls_flag.replace('_', '-')}")
                        continue
                    volume = volumes.get(mounts.get(os.path.dirname(path_value), ""), {})
                    if "secret" not in volume:
                        self.error(cwhere, f"--{tls_flag}={path_value} is not in a mounted Secret")
            pod_labels[name] = labels

        def selects_a_deployment(where, selector):
            matching = [n for n, labels in pod_labels.items() if all(labels.get(k) == v for k, v in selector.items())]
            if not selector or not matching:
                self.error(where, f"selector {selector} matches no Deployment's pods")
            return matching

        for path, service in of_kind("Service"):
            where = f"Service {service['metadata']['name']}"
            for deployment in selects_a_deployment(where, service["spec"].get("selector", {})):
                for port in service["spec"]["ports"]:
                    if port.get("targetPort", port["port"]) not in container_ports.get(deployment, set()):
                        self.error(where, f"targetPort {port.get('targetPort')} is no container port of {deployment}")
        for path, pdb in of_kind("PodDisruptionBudget"):
            selects_a_deployment(f"PodDisruptionBudget {pdb['metadata']['name']}",
                                 pdb["spec"]["selector"].get("matchLabels", {}))
        for path, policy in of_kind("NetworkPolicy"):
            where = f"NetworkPolicy {policy['metadata']['name']}"
            for deployment in selects_a_deployment(where, policy["spec"]["podSelector"].get("matchLabels", {})):
                for rule in policy["spec"].get("ingress", []):
                    for port in rule.get("ports", []):
                        if port["port"] not in container_ports.get(deployment, set()):
                            self.error(where, f"ingress port {port['port']} is no container port of {deployment}")
            egress_clusters = {peer.get("podSelector", {}).get("matchLabels", {}).get("cnpg.io/cluster")
                               for rule in policy["spec"].get("egress", []) for peer in rule.get("to", [])}
            if not set(clusters) <= egress_clusters:
                self.error(where, f"no egress to the database cluster pods {sorted(clusters)}")

    # Compose ----------------------------------------------------------------------------------------------------
    def compose(self, doc):
        services = doc.get("services", {})
        modelregd = {n: s for n, s in services.items() if "modelreg" in str(s.get("image", ""))}
        if len(modelregd) < 2:
            self.error("compose.yaml", f"{len(modelregd)} modelregd services, expected 2")
        if not any("postgres" in str(s.get("image", "")) for s in services.values()):
            self.error("compose.yaml", "no PostgreSQL service")
        for name, service in modelregd.items():
            where = f"compose.yaml service {name}"
            command = service.get("command", [])
            if isinstance(command, str):
                command = shlex.split(command)
            flags = self.modelregd_args(where, command)
            self.environment_flags(where, flags, set(service.get("environment", {})))
            port = self.listen_port(where, flags)
            for mapping in service.get("ports", []):
                if int(str(mapping).rsplit(":", 1)[1].split("/")[0]) != port:
                    self.error(where, f"port mapping {mapping} does not end in the --listen port {port}")
            for dependency in service.get("depends_on", {}):
                if dependency not in services:
                    self.error(where, f"depends on unknown service {dependency}")

    # Dockerfile -------------------------------------------------------------------------------------------------
    def dockerfile(self, text):
        lines = re.sub(r"\\\n", " ", text).splitlines()

        def instruction(name):
            return [line.split(None, 1)[1] for line in lines if line.upper().startswith(name + " ")]

        froms = instruction("FROM")
        if len(froms) < 2 or not all("bookworm" in f for f in froms):
            self.error("Dockerfile", f"expected a multi-stage build on Debian bookworm, got FROM {froms}")
        if not any(u.split(":")[0] not in ("root", "0") for u in instruction("USER")):
            self.error("Dockerfile", "no non-root USER")
        entrypoint = json.loads(instruction("ENTRYPOINT")[-1])
        if entrypoint != ["modelregd"]:
            self.error("Dockerfile", f"ENTRYPOINT {entrypoint}, expected [\"modelregd\"]")
        flags = self.modelregd_args("Dockerfile CMD", json.loads(instruction("CMD")[-1]))
        port = self.listen_port("Dockerfile CMD", flags)
        exposed = {int(p.split("/")[0]) for e in instruction("EXPOSE") for p in e.split()}
        if port not in exposed:
            self.error("Dockerfile", f"EXPOSE {sorted(exposed)} lacks the --listen port {port}")
        healthcheck = instruction("HEALTHCHECK")
        if not healthcheck:
            self.error("Dockerfile", "no HEALTHCHECK")
        else:
            command = shlex.split(healthcheck[-1].split(" CMD ", 1)[1].split("||")[0])
            self.probe_command("Dockerfile HEALTHCHECK", command, port)

    # systemd ----------------------------------------------------------------------------------------------------
    def systemd(self, unit_text, flags_text):
        exec_start = [line.split("=", 1)[1] for line in unit_text.splitlines() if line.startswith("ExecStart=")]
        if len(exec_start) != 1:
            self.error("modelregd.service", f"{len(exec_start)} ExecStart= lines")
            return
        argv = shlex.split(exec_start[0])
        if argv[0] != "/usr/bin/modelregd":
            self.error("modelregd.service", f"ExecStart runs {argv[0]}")
        self.modelregd_args("modelregd.service ExecStart", argv[1:])
        for required in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                         "PrivateDevices=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
                         "RestrictAddressFamilies=", "SystemCallFilter=@system-service", "DynamicUser=yes",
                         "StateDirectory=modelreg"):
            if not any(line.startswith(required) for line in unit_text.splitlines()):
                self.error("modelregd.service", f"missing {required}")
        # Active lines, and commented examples (`# --flag=...`): both must be flags --flagfile accepts.
        for number, line in enumerate(flags_text.splitlines(), 1):
            text = line.lstrip("# ").strip()
            if text.startswith("--"):
                self.modelregd_args(f"modelregd.flags:{number}", [text.split()[0]], command_line=False)


def load(source):
    deploy = os.path.join(source, "deploy")
    kubernetes = {}
    kustomization = {}
    for path in sorted(glob.glob(os.path.join(deploy, "kubernetes", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        if os.path.basename(path) == "kustomization.yaml":
            kustomization = docs[0]
        else:
            kubernetes[path] = docs
    with open(os.path.join(deploy, "compose.yaml"), encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    texts = {}
    for name in ("Dockerfile", "systemd/modelregd.service", "systemd/modelregd.flags"):
        with open(os.path.join(deploy, name), encoding="utf-8") as f:
            texts[name] = f.read()
    return kubernetes, kustomization, compose, texts


def run_checks(checker, files):
    kubernetes, kustomization, compose, texts = files
    checker.kubernetes(kubernetes, kustomization)
    checker.compose(compose)
    checker.dockerfile(texts["Dockerfile"])
    checker.systemd(texts["systemd/modelregd.service"], texts["systemd/modelregd.flags"])
    return checker.errors


def deployment_container(files):
    for docs in files[0].values():
        for doc in docs:
            if doc.get("kind") == "Deployment":
                return doc["spec"]["template"]["spec"]["containers"][0]
    raise SystemExit("no Deployment")


def service(files):
    for docs in files[0].values():
        for doc in docs:
            if doc.get("kind") == "Service":
                return doc
    raise SystemExit("no Service")


# Each breaks one thing the checks must notice: (description, mutation of a deep copy, expected error text).
BREAKAGES = [
    ("unknown flag in the Deployment", lambda f: deployment_container(f)["args"].append("--no-such-flag=1"),
     "no flag --no_such_flag"),
    ("container port not the listen port", lambda f: deployment_container(f)["ports"][0].update(containerPort=1),
     "no containerPort for the --listen port"),
    ("probe on another port",
     lambda f: deployment_container(f)["readinessProbe"]["exec"]["command"].__setitem__(1, "--addr=127.0.0.1:1"),
     "is not the --listen port"),
    ("unknown probe option", lambda f: deployment_container(f)["livenessProbe"]["exec"]["command"].append("--tls"),
     "has no option --tls"),
    ("Service targetPort unknown", lambda f: service(f)["spec"]["ports"][0].update(targetPort="http"),
     "is no container port"),
    ("compose flag unknown", lambda f: f[2]["services"]["modelregd-1"]["command"].append("--listen-port=1"),
     "no flag --listen_port"),
    ("compose port mapping", lambda f: f[2]["services"]["modelregd-2"].update(ports=["127.0.0.1:7412:9999"]),
     "does not end in the --listen port"),
    ("dashes in the flags file", lambda f: f[3].update({"systemd/modelregd.flags": "--pool-size=4\n"}),
     "no flag --pool-size"),
    ("ExecStart flag unknown",
     lambda f: f[3].update({"systemd/modelregd.service": f[3]["systemd/modelregd.service"].replace(
         "ExecStart=/usr/bin/modelregd serve", "ExecStart=/usr/bin/modelregd serve --config=/etc/x")}),
     "no flag --config"),
    ("Dockerfile EXPOSE", lambda f: f[3].update({"Dockerfile": f[3]["Dockerfile"].replace("EXPOSE 7411", "EXPOSE 80")}),
     "lacks the --listen port"),
]


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    source, modelregd, probe = sys.argv[1:]
    modelregd_flags = help_flags([modelregd, "--helpfull"], r"^\s+--([a-z0-9_]+) \(")
    probe_flags = help_flags([probe, "--help"], r"^\s+(?:-\w,)?(--[a-z0-9-]+)")
    print(f"modelregd --helpfull: {len(modelregd_flags)} flags; modelreg-health-probe --help: {len(probe_flags)}")
    files = load(source)
    errors = run_checks(Checker(modelregd_flags, probe_flags), files)
    for e in errors:
        print(f"FAIL {e}")
    failed = bool(errors)
    print(f"deploy/ as it is: {len(errors)} problems")
    for description, mutate, expected in BREAKAGES:
        broken = copy.deepcopy(files)
        mutate(broken)
        found = run_checks(Checker(modelregd_flags, probe_flags), broken)
        if not any(expected in e for e in found):
            print(f"FAIL self-check `{description}`: expected an error containing {expected!r}, got {found}")
            failed = True
    print(f"self-checks: {len(BREAKAGES)} deliberate breakages, each {'NOT ' if failed else ''}reported")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The OpenAPI contract test (issue 24): Schemathesis against the real
service, on SQLite and on PostgreSQL, once with a device's credential, once
with a sync administrator's session and once with no credential, every
check, a fixed seed. Any failure fails the run. Standard library only;
Schemathesis is the venv's (scripts/contract-test makes it).

  python3 tests/contract/run.py --server BIN --schemathesis VENV/bin/schemathesis [--postgres URL]
"""

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
UI = os.path.join(HERE, "..", "..", "ui")
TYPES = os.path.join(UI, "src", "api", "openapi.ts")
PASSWORD = "contract test password"
EXAMPLES = int(os.environ.get("WAYSTATION_CONTRACT_EXAMPLES", "100"))
SEED = os.environ.get("WAYSTATION_CONTRACT_SEED", "24")


def call(url, body=None, token=None, protocol=True):
    req = urllib.request.Request(url, method="POST" if body is not None else "GET")
    req.add_header("content-type", "application/json")
    if protocol:
        req.add_header("x-waystation-protocol", "1")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(req, data, timeout=30) as r:
        return json.load(r)


def enroll(base, code):
    e = call(f"{base}/v1/enroll", {"code": code, "device_name": "contract test", "app_version": "1"})
    device = f"{e['device_id']}.{e['device_secret']}"
    call(f"{base}/v1/signin", {"user": "ana", "password": PASSWORD}, token=device)
    return device


def check_types(base):
    """The TypeScript types generated from the served document are the committed ones
    (WAYSTATION_WRITE_BINDINGS=1 writes them)."""
    with tempfile.TemporaryDirectory() as tmp:
        doc, out = os.path.join(tmp, "openapi.json"), os.path.join(tmp, "openapi.ts")
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=30) as r, open(doc, "wb") as f:
            f.write(r.read())
        subprocess.run(["npx", "--no-install", "openapi-typescript", doc, "-o", out], cwd=UI, check=True, capture_output=True)
        new = open(out).read()
        old = open(TYPES).read() if os.path.exists(TYPES) else ""
        if new != old:
            if os.environ.get("WAYSTATION_WRITE_BINDINGS") == "1":
                open(TYPES, "w").write(new)
                print(f"wrote {TYPES}")
            else:
                sys.exit(f"{TYPES} differs from the types generated from the served document: "
                         "WAYSTATION_WRITE_BINDINGS=1 scripts/contract-test rewrites it")
    print("the committed TypeScript types match the served document")


def push_typed(name, base, device, other):
    env = dict(os.environ, WAYSTATION_CONTRACT_URL=base, WAYSTATION_CONTRACT_DEVICE=device,
               WAYSTATION_CONTRACT_SECOND_DEVICE=other)
    out = subprocess.run(["npx", "--no-install", "vitest", "run", "--config", "vitest.contract.config.ts"],
                         cwd=UI, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stdout[-10000:], out.stderr[-5000:])
        sys.exit(f"{name}: an operation built from the generated types was not accepted")
    print(f"{name}: an operation built from the generated types was pushed, accepted and pulled back")


def run_backend(name, server, st, db_args, env):
    admin = lambda *a: subprocess.run([server, *db_args, *a], env=env, check=True, capture_output=True, text=True).stdout.strip()
    admin("org", "add", "border-7")
    admin("user", "add", "--org", "border-7", "--role", "agent", "ana")
    admin("user", "add", "--org", "border-7", "--role", "sync_admin", "root")
    codes = [admin("device", "code", "--org", "border-7", "--role", "agent") for _ in range(2)]
    proc = subprocess.Popen([server, *db_args, "serve", "--listen", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        m = re.match(r"listening on (http://\S+)", line)
        if not m:
            sys.exit(f"{name}: the service did not start ({line!r})")
        base = m.group(1)
        device, other = enroll(base, codes[0]), enroll(base, codes[1])
        if name == "SQLite":
            check_types(base)
        push_typed(name, base, device, other)
        session = call(f"{base}/v1/admin/login", {"user": "root", "password": PASSWORD}, protocol=False)["token"]
        total = 0
        for who, headers in [("a device", ["-H", f"Authorization: Bearer {device}"]),
                             ("a sync administrator", ["-H", f"Authorization: Bearer {session}"]),
                             ("no credential", [])]:
            cmd = [st, "--config-file", os.path.join(HERE, "schemathesis.toml"), "run", f"{base}/openapi.json",
                   "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", SEED, "--no-color", *headers]
            out = subprocess.run(cmd, capture_output=True, text=True)
            counts = re.findall(r"(\d+) generated", out.stdout)
            generated = int(counts[-1]) if counts else 0
            total += generated
            block = out.stdout.split("Test Phases:", 1)[-1].split("\n\n", 1)[0]
            phases = ", ".join(" ".join(line.split()) for line in block.strip().splitlines())
            print(f"{name}, {who}: {generated} requests generated, exit {out.returncode} (phases: {phases})")
            if out.returncode != 0 or generated == 0:
                print(out.stdout[-20000:])
                print(out.stderr[-5000:], file=sys.stderr)
                sys.exit(f"{name}, {who}: Schemathesis found failures (or generated nothing)")
        return total
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--schemathesis", required=True)
    p.add_argument("--postgres")
    a = p.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYSTATION_")}
    env.update(WAYSTATION_KEY=secrets.token_hex(32), WAYSTATION_PASSWORD=PASSWORD, WAYSTATION_LOG="warn")
    version = subprocess.run([a.schemathesis, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"contract test: {version}, {EXAMPLES} examples per operation, seed {SEED}")
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        total += run_backend("SQLite", a.server, a.schemathesis, ["--data", os.path.join(tmp, "server")], env)
    if a.postgres:
        db = "waystation_contract_" + secrets.token_hex(6)
        subprocess.run(["psql", a.postgres, "-q", "-c", f"CREATE DATABASE {db}"], check=True)
        base, _, query = a.postgres.partition("?")
        url = f"{base.rsplit('/', 1)[0]}/{db}" + (f"?{query}" if query else "")
        total += run_backend("PostgreSQL", a.server, a.schemathesis, ["--database-url", url], env)
    print(f"contract test: {total} requests generated in all, no failure")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks the manifest's rust-version against every non-dev dependency's (all features):
the declared minimum must be at least what each dependency requires, since older toolchains
cannot be installed here to try. Clippy's incompatible_msrv lint checks the crate's own code
against the same number."""
import json
import subprocess
import sys


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]
ours = packages[root].get("rust_version")
if not ours:
    sys.exit("Cargo.toml has no rust-version")

# Walk normal and build dependencies only: dev-dependencies never reach a user's build.
needed, seen, stack = [], set(), [root]
while stack:
    for dep in nodes[stack.pop()]["deps"]:
        if all(k["kind"] == "dev" for k in dep["dep_kinds"]) or dep["pkg"] in seen:
            continue
        seen.add(dep["pkg"])
        stack.append(dep["pkg"])
        package = packages[dep["pkg"]]
        if package.get("rust_version"):
            needed.append((version(package["rust_version"]), package["name"], package["version"]))

highest = max(needed)
print(f"rust-version {ours}; highest of {len(seen)} dependencies: "
      f"{'.'.join(map(str, highest[0]))} ({highest[1]} {highest[2]})")
if version(ours) < highest[0]:
    sys.exit(f"rust-version {ours} is below what {highest[1]} {highest[2]} requires")

#!/usr/bin/env bash
# The package as a registry would serve it, installed and tested as a user gets it:
#
# 1. builds an sdist and a manylinux2014 (manylinux_2_17) abi3 wheel, the latter with zig
#    (maturin[zig], from PyPI), so that it loads on any x86_64 Linux with glibc 2.17 or later;
# 2. installs each with `pip install --no-index` from those files alone (the sdist's build
#    backend, maturin, from a folder of wheels each environment's pip downloads first; pip
#    builds the sdist unpacked in a directory of its own, away from this checkout) into new
#    virtual environments of the oldest and the newest CPython the package claims (its
#    pyproject.toml's classifiers), and checks that the installed package is the built one,
#    with this folder's README as its description;
# 3. installs the test suite's dependencies (the `test` extra's, from PyPI, a step of its
#    own) and runs the whole suite in each environment, the wheel test on the built wheel.
#
#     bash python/ci/packages.sh
#
# From a clean checkout: needs cargo, PyPI and crates.io, and each CPython as pythonX.Y on
# PATH or under `pyenv root`. Everything it makes goes to a temporary directory, removed at the
# end (PACKAGES_WORK=DIR: there, kept). Exits non-zero on any failure.
set -euo pipefail

python_dir=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$python_dir")
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
started=$SECONDS

step() { printf '\n== %s (%d s in)\n' "$*" $((SECONDS - started)); }
fail() { echo "packages.sh: $*" >&2; exit 1; }

if [[ -n ${PACKAGES_WORK:-} ]]; then
  work=$PACKAGES_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d -t facilioo-jwt-packages.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi

# What pyproject.toml claims and needs, read with the standard library of any python3.
read -r oldest newest build_requires < <(python3 - "$python_dir/pyproject.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
versions = sorted({tuple(map(int, v.split("."))) for v in
                   re.findall(r'"Programming Language :: Python :: (3\.\d+)"', text)})
requires = re.search(r'^requires = \["([^"]+)"\]$', text, re.M).group(1)
print(".".join(map(str, versions[0])), ".".join(map(str, versions[-1])), requires.replace(" ", ""))
PY
)
[[ -n $oldest && -n $newest ]] || fail "no Python versions among pyproject.toml's classifiers"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$python_dir/pyproject.toml")

# The interpreter for X.Y: pythonX.Y on PATH (a shim that cannot run X.Y does not count), else
# pyenv's newest X.Y.Z.
interpreter() {
  local want=$1 candidate
  for candidate in $(command -v "python$want" 2>/dev/null) \
      $(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/"$want".*/bin/"python$want" 2>/dev/null | sort -V -r); do
    if [[ $("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) == "$want" ]]; then
      echo "$candidate"
      return
    fi
  done
  fail "no CPython $want: put python$want on PATH or install it with pyenv"
}
py_oldest=$(interpreter "$oldest")
py_newest=$(interpreter "$newest")
echo "CPython $oldest: $py_oldest"
echo "CPython $newest: $py_newest"

step "tools: $build_requires with zig, in a virtual environment of their own"
rm -rf "$work/tools" "$work/dist" "$work/build-deps"
mkdir -p "$work/build-deps"
"$py_newest" -m venv "$work/tools"
"$work/tools/bin/pip" install -q "${build_requires/maturin/maturin[zig]}"
maturin=$work/tools/bin/maturin
"$maturin" --version

step "sdist"
# maturin puts the crate the bindings depend on (a path dependency, ..) into the sdist as
# cargo would package it, so that it builds without the rest of the repository.
"$maturin" sdist --manifest-path "$python_dir/Cargo.toml" --out "$work/dist"
sdist=$work/dist/facilioo_jwt-$version.tar.gz
[[ -f $sdist ]] || fail "no $sdist"
listing=$(tar -tzf "$sdist")
for needed in pyproject.toml python/Cargo.toml python/Cargo.lock python/src/lib.rs Cargo.toml src/lib.rs \
  keys/facilioo-1.pem python/facilioo_jwt/py.typed python/facilioo_jwt/_native.pyi; do
  grep -qx "facilioo_jwt-$version/$needed" <<<"$listing" || fail "the sdist lacks $needed"
done
if grep -E "/(target|tests/data/(keys|wycheproof|rfc)|python/tests|fuzz)/" <<<"$listing"; then
  fail "the sdist holds build output or test fixtures"
fi

step "wheel: manylinux2014 (manylinux_2_17), abi3, built with zig"
# The oldest CPython configures PyO3 (abi3 from 3.9 either way); its own target directory,
# as zig's C compiler builds aws-lc differently.
PATH="$work/tools/bin:$PATH" CARGO_TARGET_DIR="$work/target-zig" "$maturin" build --release --locked \
  --zig --compatibility manylinux2014 --manifest-path "$python_dir/Cargo.toml" \
  --interpreter "$py_oldest" --out "$work/dist"
wheels=("$work"/dist/facilioo_jwt-"$version"-cp39-abi3-*.whl)
[[ ${#wheels[@]} == 1 && -f ${wheels[0]} ]] || fail "expected one abi3 wheel, found: $(ls "$work/dist")"
wheel=${wheels[0]}
# Its platform tags: manylinux2014 and its PEP 600 name, nothing newer.
tags=$(basename "$wheel" .whl | cut -d- -f5)
[[ $tags == manylinux2014_x86_64.manylinux_2_17_x86_64 || $tags == manylinux_2_17_x86_64.manylinux2014_x86_64 ]] ||
  fail "the wheel is tagged $tags, not manylinux2014"
ls -l "$work/dist"

# Installs `artifact` with `python` into a new environment `env` from the file alone, then
# the suite's dependencies from PyPI, and runs the suite there.
check() {
  local python=$1 artifact=$2 env=$3
  step "$(basename "$env"): $(basename "$artifact") into a new environment of $("$python" --version)"
  rm -rf "$env"
  "$python" -m venv "$env"
  if [[ $artifact == *.tar.gz ]]; then
    # The sdist's build backend, downloaded first by this interpreter's pip (with what it
    # needs here: tomli before 3.11), for pip install --no-index to find.
    "$env/bin/pip" download -q --only-binary=:all: --dest "$work/build-deps" "$build_requires"
  fi
  # The sdist builds in pip's own temporary directory; one cargo target directory for both
  # interpreters' builds of it.
  CARGO_TARGET_DIR="$work/target-sdist" "$env/bin/pip" install --no-cache-dir --no-index \
    --find-links "$work/build-deps" "$artifact"
  local installed
  installed=$(cd "$work" && "$env/bin/python" -c '
import importlib.metadata as m, pathlib, facilioo_jwt
dist = m.distribution("facilioo-jwt")
print(pathlib.Path(facilioo_jwt.__file__).resolve(), dist.version, (dist.read_text("WHEEL") or "").count("Tag:"))
assert (dist.metadata["Description"] or dist.metadata.get_payload()).lstrip().startswith("# facilioo-jwt for Python")
')
  echo "installed: $installed"
  [[ $installed == "$env/"* ]] || fail "facilioo_jwt imported from outside $env: $installed"

  step "$(basename "$env"): the test suite's dependencies (the test extra's, from PyPI)"
  local deps
  deps=$("$env/bin/python" -c '
import importlib.metadata as m
for r in m.requires("facilioo-jwt") or []:
    req, _, marker = r.partition(";")
    if "extra == \"test\"" in marker.replace(chr(39), chr(34)):
        print(req.strip())
')
  # shellcheck disable=SC2086 # one requirement per line, none with spaces
  "$env/bin/pip" install -q $deps
  "$env/bin/pip" check

  step "$(basename "$env"): the suite"
  (cd "$root" && FACILIOO_JWT_WHEEL="$wheel" "$env/bin/python" -m pytest python/tests -p no:cacheprovider -q)
}

check "$py_oldest" "$wheel" "$work/wheel-py$oldest"
check "$py_newest" "$wheel" "$work/wheel-py$newest"
check "$py_oldest" "$sdist" "$work/sdist-py$oldest"
check "$py_newest" "$sdist" "$work/sdist-py$newest"

step "done: the sdist and the manylinux wheel installed from their files alone and passed the suite on CPython $oldest and $newest"
echo "packages.sh: $((SECONDS - started)) s"

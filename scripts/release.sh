#!/usr/bin/env bash
# Builds floe's release artifact: a stripped binary in a tarball, SHA-256 sums, and an SBOM
# (CycloneDX) of the Swift packages Package.resolved pins and the system libraries the binary
# links. With --check, also runs the binary in a minimal Debian root file system (debootstrap,
# kept under ~/.cache) holding only those libraries, where it builds the e-commerce demo.
#   scripts/release.sh [--out DIR] [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
out="dist"
check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --check) check=1; shift ;;
        *) echo "error: unknown argument '$1' (expected --out DIR or --check)" >&2; exit 2 ;;
    esac
done
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"

swift build -c release --product floe
binary=".build/release/floe"
version="$("$binary" --version | awk '{print $2}')"
arch="$(uname -m)"
name="floe-${version}-linux-${arch}"
rm -rf "${out:?}/${name}" && mkdir -p "$out/$name"
cp "$binary" "$out/$name/floe"
strip --strip-all "$out/$name/floe"
cp README.md "$out/$name/"
mkdir -p "$out/$name/charts" && cp -r charts/floe "$out/$name/charts/"
unstripped=$(stat -c %s "$binary")
stripped=$(stat -c %s "$out/$name/floe")

# The libraries the binary needs at run time, as the loader resolves them here.
libraries="$(ldd "$out/$name/floe" | awk '/=>/ {print $1}' | sort)"

# A tarball that is the same bytes for the same inputs.
tar --sort=name --mtime="@${SOURCE_DATE_EPOCH}" --owner=0 --group=0 --numeric-owner \
    -C "$out" -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"

python3 - "$out/$name.sbom.cdx.json" "$version" "$libraries" <<'PY'
import json, subprocess, sys
path, version, libraries = sys.argv[1], sys.argv[2], sys.argv[3].split()
resolved = json.load(open("Package.resolved"))
components = []
for pin in sorted(resolved.get("pins", []), key=lambda p: p["identity"]):
    state = pin.get("state", {})
    components.append({
        "type": "library", "name": pin["identity"], "version": state.get("version") or state.get("revision", ""),
        "purl": f"pkg:swift/{pin['location'].removeprefix('https://').removesuffix('.git')}@{state.get('version') or state.get('revision', '')}",
        "externalReferences": [{"type": "vcs", "url": pin["location"]}],
        "hashes": [{"alg": "SHA-1", "content": state["revision"]}] if state.get("revision") else [],
    })
for library in libraries:
    found = subprocess.run(["dpkg", "-S", library], capture_output=True, text=True).stdout.split(":")[0].strip()
    if not found:
        continue
    package = found.split(",")[0].strip()
    package_version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True).stdout
    components.append({"type": "library", "name": package, "version": package_version,
                       "purl": f"pkg:deb/debian/{package}@{package_version}", "description": f"provides {library}"})
sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "application", "name": "floe", "version": version}},
        "components": components}
json.dump(sbom, open(path, "w"), indent=2, sort_keys=True)
PY
(cd "$out" && sha256sum "$name.tar.gz" "$name.sbom.cdx.json" "$name/floe" > "$name.sha256")
echo "floe ${version}: ${out}/${name}.tar.gz"
echo "  binary: ${unstripped} bytes unstripped, ${stripped} stripped"
echo "  links: $(echo $libraries | tr '\n' ' ')"

[ "$check" = 1 ] || exit 0
# The runtime claim: a minimal Debian (debootstrap's minbase) with only the libraries above.
rootfs="$HOME/.cache/floe/rootfs-bookworm"
if [ ! -x "$rootfs/bin/sh" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
chroot "$rootfs" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libsqlite3-0 zlib1g libstdc++6 tzdata >/dev/null"
work="$rootfs/opt/floe-check"
rm -rf "$work" && mkdir -p "$work"
cp "$out/$name/floe" "$work/floe"
cp -r demo "$work/demo"
rm -rf "$work/demo/data_engineering/ecommerce/target" "$work/demo/data_engineering/ecommerce/.floe"
# Nothing of the toolchain or this machine's libraries is visible inside: only the root file
# system, with /proc mounted as every container runtime mounts it (a statically linked Swift
# program reads its arguments from /proc/self/cmdline).
mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc"' EXIT
chroot "$rootfs" /bin/sh -c "cd /opt/floe-check/demo/data_engineering/ecommerce && /opt/floe-check/floe build" > "$out/$name.check.log" 2>&1 || {
    cat "$out/$name.check.log"; echo "error: the released binary failed in the minimal root file system" >&2; exit 1; }
grep -q "13 built; tests: 22 pass, 0 warn, 0 fail" "$out/$name.check.log" || {
    cat "$out/$name.check.log"; echo "error: the demo did not build as expected in the minimal root file system" >&2; exit 1; }
echo "  checked: the e-commerce demo builds in a debootstrap minbase root file system with only those libraries"
echo "  ($(chroot "$rootfs" dpkg-query -W -f='${binary:Package}\n' | wc -l) Debian packages installed there)"

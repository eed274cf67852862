#!/usr/bin/env bash
# The Debian package, as a municipality's IT would install it: build it with cargo-deb from the
# binary the test suite built, install it (dpkg -i), check the systemd unit, and run the packaged
# binary as the packaged user: --version, migrate against scratch databases (SQLite, and
# PostgreSQL when one is reachable), a backup and a restore. Needs root (or sudo).
# A release package is `cargo deb` (README: Packaging); here the test build is packaged, so CI
# checks the packaging without a second, optimised build.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = "0" ]; then as_root=""; elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; else
  echo "package check: needs root or sudo to install a package" >&2
  exit 1
fi

# cargo-deb, at the version these commands were written for.
CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  cargo install cargo-deb --locked --version "$CARGO_DEB_VERSION"
fi

# The binary the test suite built (and uses): `cargo build` would resolve the dependencies'
# features without the tests' and build everything again.
cargo test --locked --no-run --quiet
out=$(mktemp -d)
scratch=$(mktemp -d)
trap 'rm -rf "$out"; $as_root rm -rf "$scratch"' EXIT
# The test build (dev profile) is packaged as it is: cargo-deb warns that it makes releases.
cargo deb --locked --profile dev --no-build --no-strip --fast --quiet -o "$out/"
deb=$(ls "$out"/platsa_*.deb)
echo "== built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
dpkg-deb --contents "$deb" | awk '{print $6}'

# One installation at a time on this machine: two CI runs at once would share /usr/bin/platsa
# and dpkg's lock.
exec 9>"${TMPDIR:-/tmp}/platsa-package-check.lock"
flock 9
$as_root dpkg -i "$deb"
test -x /usr/bin/platsa
getent passwd platsa >/dev/null
test "$(stat -c '%U:%G %a' /etc/platsa/platsa.toml)" = "root:platsa 640"
test "$(stat -c '%U %a' /var/lib/platsa)" = "platsa 750"
test "$(stat -c '%U %a' /var/backups/platsa)" = "platsa 700"

echo "== platsa --version"
/usr/bin/platsa --version

if command -v systemd-analyze >/dev/null 2>&1; then
  echo "== systemd-analyze verify"
  systemd-analyze verify /lib/systemd/system/platsa.service
else
  echo "== systemd-analyze not installed: unit not verified"
fi

$as_root chown platsa:platsa "$scratch"
as_platsa() {
  $as_root runuser -u platsa -- env PLATSA_CONFIG=/etc/platsa/platsa.toml PLATSA_INDEX_DIR="$scratch/index" "$@"
}
echo "== migrate, backup and restore as the user platsa (SQLite)"
as_platsa DATABASE_URL="sqlite://$scratch/platsa.db" /usr/bin/platsa migrate
as_platsa DATABASE_URL="sqlite://$scratch/platsa.db" /usr/bin/platsa backup --to "$scratch/first.backup"
as_platsa DATABASE_URL="sqlite://$scratch/restored.db" /usr/bin/platsa restore --from "$scratch/first.backup"

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if pg_up && command -v psql >/dev/null 2>&1; then
  db="platsa_package_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" postgres
  echo "== migrate as the user platsa (PostgreSQL)"
  as_platsa DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" /usr/bin/platsa migrate || {
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)" postgres
    exit 1
  }
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)" postgres
fi

# Removed again (the user and data folders stay, as on a real server), so the next run installs afresh.
$as_root dpkg --purge platsa
echo "== package check passed"

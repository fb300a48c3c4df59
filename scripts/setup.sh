#!/usr/bin/env bash
# Installs everything Fluvial needs on a fresh Debian machine, idempotently:
# Debian packages, a virtualenv (.venv) with the pinned pip packages, and the
# native build (build/, kept between runs so rebuilds are incremental).
set -euo pipefail
cd "$(dirname "$0")/.."

# redis-server and postgresql: real servers for the Redis and JDBC connector tests
# (started by scripts/redis.sh and scripts/postgres.sh, never as system services);
# librdkafka for the Kafka connector; Java and Maven run the Kafka test broker.
APT_PACKAGES=(g++ cmake ninja-build ccache libgtest-dev python3-venv redis-server postgresql pkg-config
              librdkafka-dev openjdk-17-jre-headless maven)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
# Reinstall pip packages only when the pinned list changes.
stamp=.venv/.requirements-stamp
if [ ! -f "$stamp" ] || ! cmp -s scripts/requirements-dev.txt "$stamp"; then
  echo "setup: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r scripts/requirements-dev.txt
  cp scripts/requirements-dev.txt "$stamp"
fi
# The Apache Kafka jars the Kafka tests run a broker from (cached; see scripts/kafka.sh).
scripts/kafka.sh fetch

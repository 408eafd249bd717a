#!/usr/bin/env bash
# Installs the programs that tests drive and that the .NET SDK does not bring, from Debian's packages.
# Idempotent: installs only what is missing. Add further servers here (one block each).
set -euo pipefail

missing=()

# unzip, with which .ci/package-consumer.sh lists what each package holds.
command -v unzip > /dev/null 2>&1 || missing+=(unzip)

# Headless Chromium for the dashboard's browser tests (Microsoft.Playwright drives /usr/bin/chromium;
# Playwright's own browser download does not work on these machines).
command -v chromium > /dev/null 2>&1 || missing+=(chromium)

# PostgreSQL's server binaries for the PostgreSQL sink's tests, which start their own cluster in a temp folder
# (initdb + pg_ctl from /usr/lib/postgresql/<version>/bin; as root, they run it as the package's postgres user).
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || missing+=(postgresql)

# Message brokers for the connector tests (runtime/Pipelines.Nats, Pipelines.RabbitMq, Pipelines.Redis): the tests
# start their own server processes on 127.0.0.1 with a free port and a temporary data folder, and stop them.
command -v nats-server > /dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
command -v redis-server > /dev/null 2>&1 || missing+=(redis-server)
command -v rabbitmq-server > /dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" > /dev/null
fi

#!/usr/bin/env bash
# A real Apache Kafka broker for tests and benchmarks, without Docker or a tarball:
# the 3.9.1 jars come from Maven Central (scripts/kafka/pom.xml) and run as one
# KRaft node (broker and controller in one process) listening on 127.0.0.1 only.
#
#   scripts/kafka.sh fetch             copy the jars into the cache (idempotent)
#   scripts/kafka.sh start DIR PORT    format DIR, start the broker on 127.0.0.1:PORT,
#                                      wait until it answers; its pid goes to DIR/kafka.pid
#   scripts/kafka.sh stop DIR          stop the broker started in DIR (idempotent)
#   scripts/kafka.sh restart DIR       start the stopped broker of DIR again, on the same port
#                                      and with its data (the chaos harness's broker outage)
#
# The cache is $FLUVIAL_CACHE/kafka-3.9.1 (default ~/.cache/fluvial/kafka-3.9.1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_VERSION=3.9.1
CACHE="${FLUVIAL_CACHE:-$HOME/.cache/fluvial}/kafka-$KAFKA_VERSION"
JARS="$CACHE/jars"

fetch() {
  if [ -f "$CACHE/.complete" ] && cmp -s "$ROOT/scripts/kafka/pom.xml" "$CACHE/.complete"; then
    return 0
  fi
  command -v mvn >/dev/null || { echo "kafka.sh: mvn not found: run scripts/setup.sh (Debian package maven)" >&2; exit 1; }
  echo "kafka.sh: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $JARS" >&2
  rm -rf "$JARS" && mkdir -p "$JARS"
  (cd "$ROOT/scripts/kafka" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$JARS") >&2
  cp "$ROOT/scripts/kafka/pom.xml" "$CACHE/.complete"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

java_options() {
  JAVA_OPTS=(-Xmx512m -Xms128m -XX:+UseSerialGC -Djava.awt.headless=true
             "-Dlog4j.configuration=file:$1/log4j.properties")
}

start() {
  local dir="$1" port="$2"
  [ -n "$dir" ] && [ -n "$port" ] || { echo "usage: kafka.sh start DIR PORT" >&2; exit 2; }
  command -v java >/dev/null || { echo "kafka.sh: java not found: run scripts/setup.sh (Debian package openjdk-17-jre-headless)" >&2; exit 1; }
  fetch
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/kafka.pid" ] && kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
    echo "kafka.sh: a broker already runs from $dir (pid $(cat "$dir/kafka.pid"))" >&2; exit 1
  fi
  if port_answers "$port"; then
    echo "kafka.sh: port 127.0.0.1:$port is already in use" >&2; exit 1
  fi
  local controller_port
  controller_port="$(free_port)"
  rm -rf "$dir/data"
  java_options "$dir"
  cat > "$dir/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
PROPERTIES
  cat > "$dir/log4j.properties" <<PROPERTIES
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
PROPERTIES
  local cluster_id
  cluster_id="$(python3 -c 'import base64, uuid
while True:
    text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not text.startswith("-"):
        print(text); break')"
  java "${JAVA_OPTS[@]}" -cp "$JARS/*" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$dir/server.properties" > "$dir/format.log" 2>&1 \
    || { echo "kafka.sh: formatting $dir/data failed:" >&2; cat "$dir/format.log" >&2; exit 1; }
  launch "$dir" "$port"
}

# Runs the broker of DIR (formatted, with its server.properties) and waits until PORT answers.
launch() {
  local dir="$1" port="$2"
  nohup java "${JAVA_OPTS[@]}" -cp "$JARS/*" kafka.Kafka "$dir/server.properties" \
      > "$dir/server.out" 2>&1 < /dev/null &
  echo $! > "$dir/kafka.pid"
  local pid waited=0
  pid="$(cat "$dir/kafka.pid")"
  until port_answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: the broker exited while starting; its output ($dir/server.out):" >&2
      tail -n 30 "$dir/server.out" "$dir/server.log" >&2 || true
      exit 1
    fi
    if [ "$waited" -ge 600 ]; then
      echo "kafka.sh: the broker did not answer on 127.0.0.1:$port within 60 s; see $dir/server.log" >&2
      kill "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  echo "kafka.sh: broker $pid listening on 127.0.0.1:$port (logs in $dir)" >&2
}

stop() {
  local dir="$1"
  [ -n "$dir" ] || { echo "usage: kafka.sh stop DIR" >&2; exit 2; }
  [ -f "$dir/kafka.pid" ] || return 0
  local pid waited=0
  pid="$(cat "$dir/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge 300 ]; then
        echo "kafka.sh: broker $pid did not stop within 30 s; killing it" >&2
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1; waited=$((waited + 1))
    done
  fi
  rm -f "$dir/kafka.pid"
}

restart() {
  local dir="$1" port
  [ -n "$dir" ] && [ -f "$dir/server.properties" ] || { echo "usage: kafka.sh restart DIR (a DIR kafka.sh start formatted)" >&2; exit 2; }
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/kafka.pid" ] && kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
    echo "kafka.sh: the broker of $dir still runs (pid $(cat "$dir/kafka.pid")): stop it first" >&2; exit 1
  fi
  port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "$dir/server.properties")"
  java_options "$dir"
  launch "$dir" "$port"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start "${2:-}" "${3:-}" ;;
  stop) stop "${2:-}" ;;
  restart) restart "${2:-}" ;;
  *) echo "usage: kafka.sh fetch | start DIR PORT | stop DIR | restart DIR" >&2; exit 2 ;;
esac

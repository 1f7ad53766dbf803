#!/usr/bin/env bash
# Runs the whole test suite and ends with "N passed, N failed[, N skipped]".
# Installs what it needs (NuGet packages, npm packages of test/compat, dnsmasq, python3-boto3 and awscli); exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# dnsmasq (Debian's dnsmasq-base): the real DNS server of the router's discovery test.
if ! command -v dnsmasq >/dev/null && [ ! -x /usr/sbin/dnsmasq ]; then
  (apt-get update -qq && apt-get install -y -qq dnsmasq-base) > "$results/apt-dnsmasq.log" 2>&1 \
    || { echo "Could not install dnsmasq-base (needed by the fleet's DNS test; see $results/apt-dnsmasq.log): run 'apt-get install -y dnsmasq-base' as root." >&2; cat "$results/apt-dnsmasq.log" >&2; }
fi

# boto3/botocore and the AWS CLI from Debian's packages: the control plane's compatibility tests.
if ! /usr/bin/python3 -c "import boto3" 2>/dev/null || ! command -v aws >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq python3-boto3 awscli) > "$results/apt-boto3.log" 2>&1 \
    || { echo "Could not install python3-boto3 and awscli (needed by the control plane's boto3 tests; see $results/apt-boto3.log): run 'apt-get install -y python3-boto3 awscli' as root." >&2; cat "$results/apt-boto3.log" >&2; }
fi

dotnet restore OpenMme.slnx --nologo -v quiet || exit 1
dotnet build OpenMme.slnx -c Release --no-restore --nologo -v quiet || exit 1

# npm packages of test/compat: the AWS SDK for JavaScript (compatibility tests) and s3rver.
npm_ok=1
(cd test/compat && npm ci --no-audit --no-fund --loglevel=error) > "$results/npm-ci.log" 2>&1 || npm_ok=0

# A real S3-compatible server for the whole suite, on a free loopback port; always stopped.
s3_data="$(mktemp -d)"
s3_pid=""
cleanup() {
  if [ -n "$s3_pid" ]; then kill "$s3_pid" 2>/dev/null; wait "$s3_pid" 2>/dev/null; fi
  rm -rf "$s3_data"
}
trap cleanup EXIT
if [ "$npm_ok" -eq 1 ]; then
  node test/compat/node_modules/s3rver/bin/s3rver.js -d "$s3_data" -a 127.0.0.1 -p 0 -s > "$results/s3rver.log" 2>&1 &
  s3_pid=$!
  for _ in $(seq 1 150); do
    port="$(grep -o 'listening on 127.0.0.1:[0-9]*' "$results/s3rver.log" | grep -o '[0-9]*$')"
    [ -n "$port" ] && break
    sleep 0.2
  done
  if [ -n "$port" ]; then export OPENMME_TEST_S3_ENDPOINT="http://127.0.0.1:$port"; else echo "s3rver did not start" >&2; fi
fi

projects=(test/*/*.Tests.csproj)
status=0
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# The instance suites again through a fleet: two instances behind the router, as `serve --instances 2`
# composes them (see HostFixture); tests of one instance's internals (Scope=Instance) stay out.
runs=$(( ${#projects[@]} + 1 ))
OPENMME_TEST_FLEET=2 dotnet test test/OpenMme.Server.Tests/OpenMme.Server.Tests.csproj -c Release --no-build --nologo \
  --filter "Scope!=Instance" --logger "trx;LogFileName=OpenMme.Server.Tests.fleet.trx" --results-directory "$results" || status=1

passed=0; failed=0; skipped=0; found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(value total); executed=$(value executed)
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + total - executed))
done

# Compatibility tests: the official AWS SDK for JavaScript against a real `openmme serve`.
compat_log="$results/compat.tap"
if [ "$npm_ok" -eq 1 ]; then
  (cd test/compat && OPENMME_DLL="$PWD/../../src/OpenMme.Cli/bin/Release/net10.0/openmme.dll" npm test --silent) > "$compat_log" 2>&1 || status=1
  tap() { grep -E "^# $1 [0-9]+" "$compat_log" | grep -o '[0-9]*' || echo 0; }
  compat_passed=$(tap pass); compat_failed=$(( $(tap fail) + $(tap cancelled) ))
  if [ "$compat_passed" -eq 0 ] && [ "$compat_failed" -eq 0 ]; then compat_failed=1; fi
  passed=$((passed + compat_passed)); failed=$((failed + compat_failed)); skipped=$((skipped + $(tap skipped)))
  if [ "$compat_failed" -gt 0 ]; then cat "$compat_log" >&2; fi
else
  echo "npm ci failed in test/compat:" >&2; cat "$results/npm-ci.log" >&2
  failed=$((failed + 1))
fi

# Compatibility tests: boto3 (Debian's python3-boto3) and the AWS CLI against the control plane of a real `openmme serve`.
boto3_log="$results/compat-boto3.log"
OPENMME_DLL="$PWD/src/OpenMme.Cli/bin/Release/net10.0/openmme.dll" /usr/bin/python3 test/compat/control_plane_boto3.py > "$boto3_log" 2>&1 || status=1
boto3_ran=$(grep -o '^Ran [0-9]*' "$boto3_log" | grep -o '[0-9]*' || echo 0)
boto3_bad=$(( $(grep -o 'failures=[0-9]*' "$boto3_log" | grep -o '[0-9]*' || echo 0) + $(grep -o 'errors=[0-9]*' "$boto3_log" | grep -o '[0-9]*' || echo 0) ))
boto3_skipped=$(grep -o 'skipped=[0-9]*' "$boto3_log" | grep -o '[0-9]*' || echo 0)
if [ "$boto3_ran" -eq 0 ]; then boto3_bad=1; fi
passed=$((passed + boto3_ran - boto3_bad - boto3_skipped)); failed=$((failed + boto3_bad)); skipped=$((skipped + boto3_skipped))
if [ "$boto3_bad" -gt 0 ]; then cat "$boto3_log" >&2; fi

if [ "$found" -ne "$runs" ]; then
  echo "Only $found of $runs test runs (${#projects[@]} projects and the fleet run) reported results; a test host crashed." >&2
  failed=$((failed + runs - found))
fi

if [ "$failed" -gt 0 ]; then status=1; fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status

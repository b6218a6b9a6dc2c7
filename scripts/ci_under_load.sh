#!/bin/sh
# The suite under load: run .ci/run N times (default 10), each on a fresh clone of this
# checkout's HEAD, while another process keeps one core busy the whole time. Prints each run's
# exit code and minutes, and exits non-zero if any run failed.
#
#     scripts/ci_under_load.sh [N]
#
# Logs stay in a temporary folder, named at the end.
set -u
runs=${1:-10}
root=$(git rev-parse --show-toplevel) || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/lrexplorer-ci-under-load.XXXXXX")
python3 -c "while True: pass" &
burner=$!
trap 'kill "$burner" 2>/dev/null' EXIT INT TERM
echo "one core kept busy by process $burner; $runs runs of .ci/run on fresh clones of $(git -C "$root" rev-parse --short HEAD)"
failed=0
i=1
while [ "$i" -le "$runs" ]; do
    clone="$work/run-$i"
    git clone -q "$root" "$clone" || exit 2
    began=$(date +%s)
    (cd "$clone" && ./.ci/run) >"$work/run-$i.log" 2>&1
    code=$?
    seconds=$(( $(date +%s) - began ))
    summary=$(grep -E "(passed|failed|error)" "$work/run-$i.log" | tail -n 1)
    printf 'run %2d: exit %d in %d min %02d s  %s\n' "$i" "$code" $((seconds / 60)) $((seconds % 60)) "$summary"
    [ "$code" -eq 0 ] || failed=$((failed + 1))
    rm -rf "$clone"
    i=$((i + 1))
done
echo "$((runs - failed)) of $runs green; logs in $work"
[ "$failed" -eq 0 ]

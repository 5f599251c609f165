#!/usr/bin/env bash
# Self-test of the Python peers: tiny inputs in a temp dir, every workload through
# numpy_peer.py, torch_peer.py and torch_peer.py --autograd (W1-W3) at 1 and 2 threads;
# costs and final parameters must agree with numpy (1 thread) to 1e-10 relative.
# Exit status 0 when everything agrees, 1 on any mismatch or peer failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
TMP="$(mktemp -d "${TMPDIR:-/tmp}/blasnet-peers.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

"$PY" "$HERE/_selftest.py" make "$TMP"

status=0
for spec in "$TMP"/*/spec.*.json; do
  base="$(basename "$spec" .json)"          # spec.<peer>.t<threads>
  peer="${base#spec.}"; peer="${peer%.t*}"
  case "$peer" in
    numpy) script="$HERE/numpy_peer.py" ;;
    torch|torch-autograd) script="$HERE/torch_peer.py" ;;
  esac
  out="$(dirname "$spec")/out.${base#spec.}"
  if ! "$PY" "$script" "$spec" >"$TMP/stdout" 2>"$TMP/stderr"; then
    echo "FAIL: $script $spec exited nonzero:"; cat "$TMP/stderr"; status=1; continue
  fi
  # the protocol: exactly one line on stdout, and it is JSON
  if [ "$(wc -l <"$TMP/stdout")" -ne 1 ] || ! "$PY" -c 'import json,sys; json.loads(open(sys.argv[1]).read())' "$TMP/stdout"; then
    echo "FAIL: $script $spec did not print exactly one JSON line:"; cat "$TMP/stdout"; status=1; continue
  fi
  cp "$TMP/stdout" "$out/result.json"
done

"$PY" "$HERE/_selftest.py" check "$TMP" || status=1
[ "$status" -eq 0 ] && echo "selftest: PASS" || echo "selftest: FAIL"
exit "$status"

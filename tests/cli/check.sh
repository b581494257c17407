# check.sh — the assertion the shell suites share (sourced, not run): it
# runs a command and counts it in $passed or $failed.
#
# check NAME EXPECTED-STATUS EXTENDED-REGEX -- command...
#   passes when the command exits with EXPECTED-STATUS and its output
#   (stdout and stderr) matches the regex; otherwise prints the last lines.
check() {
  local name=$1 want_status=$2 want=$3
  shift 4
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -eq "$want_status" ] && grep -Eq -- "$want" <<< "$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: status %s (want %s), output:\n%s\n' "$name" "$status" "$want_status" "$(tail -n 20 <<< "$out")" >&2
  fi
}

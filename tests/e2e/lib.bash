# Shared by the tests/e2e/*.sh scripts (sourced, not a test itself): a temporary folder, and checks that
# print "ok   NAME" or "FAIL NAME: why" and count the failures in $fails.
# Before sourcing, set bin (the rollsim binary) and src (the source folder).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, expected exit code, command...
    local name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/err" | head -5; fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}
expect_text() { # name, file, fixed string
    if grep -qF -- "$3" "$2"; then echo "ok   $1"; else echo "FAIL $1: '$3' not in $2"; sed 's/^/  | /' "$2" | head -5; fails=$((fails + 1)); fi
}

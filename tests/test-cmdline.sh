#!/bin/sh
# test-cmdline.sh CLINIC CLINICCTL — the programs as a person starts them.
set -u
clinic=$1
clinicctl=$2
fail=0
check() {
  # check DESCRIPTION EXPECTED-STATUS ACTUAL-STATUS
  if [ "$2" -eq "$3" ]; then echo "ok - $1"; else echo "not ok - $1 (status $3, expected $2)"; fail=1; fi
}

out=$("$clinic" --version 2>&1); st=$?
check "clinic --version exits 0" 0 $st
case "$out" in "clinic "[0-9]*) echo "ok - prints '$out'" ;; *) echo "not ok - prints '$out'"; fail=1 ;; esac

out=$("$clinic" --help 2>&1); st=$?
check "clinic --help exits 0" 0 $st
case "$out" in *--database*) echo "ok - --help lists --database" ;; *) echo "not ok - --help: $out"; fail=1 ;; esac

tmp=$(mktemp -d)
out=$(timeout 60 "$clinic" --database "$tmp" 2>&1); st=$?
check "clinic --database FOLDER is refused" 1 $st
case "$out" in *"is a folder"*) echo "ok - says why: $out" ;; *) echo "not ok - says: $out"; fail=1 ;; esac
rmdir "$tmp"

out=$("$clinicctl" --version 2>&1); st=$?
check "clinicctl --version exits 0" 0 $st
out=$("$clinicctl" nosuch 2>&1); st=$?
check "clinicctl with an unknown command exits 2" 2 $st

exit $fail

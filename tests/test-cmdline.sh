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

# One instance per session: a second start raises the first, and a second
# start naming another database is told why it did not open.
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -n "${DISPLAY:-}" ]; then
  tmp=$(mktemp -d)
  "$clinic" --database "$tmp/a.db" &
  first=$!
  owned=no
  for _ in $(seq 100); do
    if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
         --method org.freedesktop.DBus.NameHasOwner com.example.Clinic 2>/dev/null | grep -q true; then
      owned=yes; break
    fi
    sleep 0.1
  done
  [ $owned = yes ] && echo "ok - the first clinic owns com.example.Clinic" || { echo "not ok - no owner"; fail=1; }

  out=$(timeout 30 "$clinic" --database "$tmp/b.db" 2>&1); st=$?
  check "a second clinic with another database is refused" 1 $st
  case "$out" in *"already open"*"$tmp/a.db"*) echo "ok - says why" ;; *) echo "not ok - says: $out"; fail=1 ;; esac

  timeout 30 "$clinic" --database "$tmp/a.db"; st=$?
  check "a second clinic with the same database hands over and exits" 0 $st
  kill -0 $first 2>/dev/null && echo "ok - the first is still running" || { echo "not ok - first gone"; fail=1; }

  kill $first; wait $first 2>/dev/null
  rm -rf "$tmp"
else
  echo "not ok - needs a display and a session bus (run through ./dev.sh test)"
  fail=1
fi

out=$("$clinicctl" --version 2>&1); st=$?
check "clinicctl --version exits 0" 0 $st
out=$("$clinicctl" nosuch 2>&1); st=$?
check "clinicctl with an unknown command exits 2" 2 $st

exit $fail

#!/bin/sh
# test-clinicctl-admin.sh CLINICCTL — settings, the audit trail and
# lock-outs from the command line, each through the same checks as the
# window. (Real Argon2id limits: about a second a call.)
set -u
ctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/clinic.db
pw="quiet river under old stone"
doc="amber fields after summer rain"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
no() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
expect() { if [ "$2" -eq "$3" ]; then ok "$1"; else no "$1 (status $3, wanted $2)"; fi; }
admin() { printf '%s\n' "$pw" | "$ctl" --database "$db" --user admin --password-stdin "$@"; }

printf '%s\n' "$pw" | "$ctl" init --clinic-name "Lindenhof Practice" --admin admin --database "$db" --password-stdin > /dev/null 2>&1
expect "init" 0 $?

admin settings list > "$tmp/out" 2> "$tmp/err"
expect "settings list" 0 $?
grep -q "^clinic.name	Lindenhof Practice	set	" "$tmp/out" && ok "…shows the clinic's name as set" || no "list: $(head -3 "$tmp/out")"
grep -q "^security.idle-lock-minutes	5	default	" "$tmp/out" && ok "…and defaults as default" || no "no idle default"

admin settings set security.idle-lock-minutes 7 > /dev/null 2>&1
expect "settings set" 0 $?
admin settings get security.idle-lock-minutes > "$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = 7 ] && ok "settings get reads the new value" || no "get: $(cat "$tmp/out")"

admin settings set security.idle-lock-minutes 500 > /dev/null 2> "$tmp/err"
expect "an out-of-range value is refused" 1 $?
grep -q "between 1 and 120 minutes" "$tmp/err" && ok "…saying the range" || no "said: $(cat "$tmp/err")"

"$ctl" settings get no.such.key --database "$db" < /dev/null > /dev/null 2> "$tmp/err"
expect "an unknown key is a usage error, before any password" 2 $?

admin settings reset security.idle-lock-minutes > /dev/null 2>&1
expect "settings reset" 0 $?

admin audit list --action settings.changed > "$tmp/out" 2>&1
expect "audit list" 0 $?
[ "$(grep -c "	admin	settings.changed	setting:security.idle-lock-minutes	" "$tmp/out")" -eq 2 ] \
  && ok "…shows the change and the reset" || no "audit: $(cat "$tmp/out")"

admin backup "$tmp/b.clinicbackup" > /dev/null 2>&1
expect "backup" 0 $?
admin audit verify --anchor "$tmp/b.clinicbackup" > "$tmp/out" 2>&1
expect "audit verify with the backup's anchor" 0 $?
grep -q "The audit trail is whole." "$tmp/out" && ok "…says the trail is whole" || no "verify: $(cat "$tmp/out")"

# Lock-outs are counted across processes and restarts, and an
# administrator lifts them.
printf '%s\n%s\n' "$pw" "$doc" | "$ctl" users add doc --display-name "Dr. Weber" --role Doctor \
  --database "$db" --user admin --password-stdin > /dev/null 2>&1
expect "a doctor is added" 0 $?
for i in 1 2 3 4 5; do
  printf 'not the password\n' | "$ctl" roles list --database "$db" --user doc --password-stdin > /dev/null 2>&1
done
printf '%s\n' "$doc" | "$ctl" roles list --database "$db" --user doc --password-stdin > /dev/null 2> "$tmp/err"
expect "after five failures in five processes the right password waits" 1 $?
grep -q "Too many failed attempts" "$tmp/err" && ok "…and says how long" || no "said: $(cat "$tmp/err")"

admin users unlock doc > /dev/null 2>&1
expect "the administrator lifts the lock-out" 0 $?
printf '%s\n' "$doc" | "$ctl" roles list --database "$db" --user doc --password-stdin > /dev/null 2> "$tmp/err"
# The doctor may open the database again; roles list itself needs a
# permission a doctor lacks.
grep -q "does not allow" "$tmp/err" && ok "the doctor signs in again (and is refused roles by permission)" || no "said: $(cat "$tmp/err")"

admin audit list --by doc > "$tmp/out" 2>&1
[ "$(grep -c "sign-in.failed" "$tmp/out")" -ge 5 ] && ok "the failures counted before opening are in the audit trail" || no "audit: $(cat "$tmp/out")"

echo "1..$n"
exit $fail

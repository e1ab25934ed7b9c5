#!/bin/sh
# test-clinicctl-users.sh CLINICCTL — users and roles as an administrator
# types them: users add/list/disable/enable/passwd-reset, roles list. With
# --password-stdin the acting user's password comes first (it opens the
# database), then the other user's new one. (Real Argon2id limits: about a
# second a call, so only a handful of calls.)
set -u
ctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/clinic.db
pw="quiet river under old stone"
anna="amber fields after summer rain"
anna2="seven lanterns over the harbour"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
no() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
expect() { # expect DESCRIPTION WANT-STATUS GOT-STATUS
  if [ "$2" -eq "$3" ]; then ok "$1"; else no "$1 (status $3, wanted $2)"; fi
}
run() { # run ARGS: as admin on $db
  "$ctl" --database "$db" --user admin --password-stdin "$@"
}
opens_as() { # opens_as USER PASSWORD: the password opens the database (the
  # command itself, roles list, needs a permission a doctor lacks)
  printf '%s\n' "$2" | "$ctl" roles list --database "$db" --user "$1" --password-stdin > /dev/null 2> "$tmp/open-err"
  ! grep -q "user name or password is not right" "$tmp/open-err"
}

printf '%s\n' "$pw" | "$ctl" init --clinic-name "Lindenhof Practice" --admin admin --database "$db" --password-stdin > /dev/null 2>&1
expect "init" 0 $?

printf '%s\n%s\n' "$pw" "$anna" | run users add anna --display-name "Dr. Anna Berg" --role doctor > "$tmp/out" 2> "$tmp/err"
expect "users add a doctor" 0 $?
grep -q "	anna$" "$tmp/out" && ok "…prints her id and name" || no "add printed: $(cat "$tmp/out") $(cat "$tmp/err")"

opens_as anna "$anna" && ok "her password opens the database" || no "anna: $(cat "$tmp/open-err")"

printf '%s\n' "$pw" | run users list > "$tmp/out" 2> "$tmp/err"
expect "users list" 0 $?
grep -q "^[0-9]*	anna	Dr. Anna Berg	Doctor	staff	active$" "$tmp/out" && ok "…one tab-separated line per user" || no "list: $(cat "$tmp/out")"

printf '%s\n' "$pw" | run roles list > "$tmp/out" 2> "$tmp/err"
expect "roles list" 0 $?
grep -q "^1	Administrator	built-in	.*users" "$tmp/out" && ok "…with the permissions" || no "roles: $(cat "$tmp/out")"

printf '%s\n' "$pw" | run users add bob --role nosuchrole > /dev/null 2> "$tmp/err"
expect "an unknown role fails before any password of bob's is read" 1 $?

printf '%s\n' "$pw" | run users add > /dev/null 2> "$tmp/err"
expect "users add without a name is a usage error" 2 $?

printf '%s\n' "$pw" | run users disable admin > /dev/null 2> "$tmp/err"
expect "one cannot disable oneself" 1 $?

printf '%s\n' "$pw" | run users disable anna > "$tmp/out" 2> "$tmp/err"
expect "users disable" 0 $?
grep -q "clinicctl rekey" "$tmp/out" && ok "…recommends a rekey" || no "disable said: $(cat "$tmp/out")"

opens_as anna "$anna" && no "her password still opens the database" || ok "her password no longer opens the database"

printf '%s\n%s\n' "$pw" "$anna2" | run users enable anna > /dev/null 2> "$tmp/err"
expect "users enable with a new password" 0 $?

printf '%s\n%s\n' "$pw" "$anna" | run users passwd-reset anna > /dev/null 2> "$tmp/err"
expect "users passwd-reset" 0 $?
opens_as anna "$anna" && ok "the reset password opens the database" || no "anna: $(cat "$tmp/open-err")"

printf '%s\n' "$anna" | "$ctl" users list --database "$db" --user anna --password-stdin > /dev/null 2> "$tmp/err"
expect "a doctor may not list users" 1 $?
grep -q "does not allow" "$tmp/err" && ok "…and is told why" || no "said: $(cat "$tmp/err")"

echo "1..$n"
exit $fail

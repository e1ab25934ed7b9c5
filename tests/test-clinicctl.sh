#!/bin/sh
# test-clinicctl.sh CLINICCTL — the storage commands as an administrator
# types them: init, verify, backup, restore, rekey, passwd; exit statuses
# and one-sentence errors. (Real Argon2id limits: about a second a call.)
set -u
ctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/clinic.db
pw="quiet river under old stone"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
no() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
expect() { # expect DESCRIPTION WANT-STATUS GOT-STATUS
  if [ "$2" -eq "$3" ]; then ok "$1"; else no "$1 (status $3, wanted $2)"; fi
}
one_line() { # one_line DESCRIPTION FILE PATTERN
  if [ "$(wc -l < "$2")" -eq 1 ] && grep -q "^clinicctl: .*$3" "$2"; then ok "$1"; else no "$1: $(cat "$2")"; fi
}

printf '%s\n' "$pw" | "$ctl" init --clinic-name "Lindenhof Practice" --admin admin --database "$db" --password-stdin > "$tmp/key" 2> "$tmp/err"
expect "init creates the database" 0 $?
grep -Eq '^([0-9A-Z]{5}-){13}[0-9A-Z]{5}$' "$tmp/key" && ok "init prints the recovery key" || no "recovery key: $(cat "$tmp/key")"
[ -f "$db" ] && [ -f "$db.keys" ] && ok "database and key file exist" || no "files missing"
[ "$(stat -c %a "$db")" = 600 ] && ok "database is mode 0600" || no "mode $(stat -c %a "$db")"

printf '%s\n' "$pw" | "$ctl" init --clinic-name X --admin admin --database "$db" --password-stdin > /dev/null 2> "$tmp/err"
expect "init refuses an existing database" 1 $?
one_line "…and says so in one sentence" "$tmp/err" "already"

printf 'short\n' | "$ctl" init --clinic-name X --admin a --database "$tmp/other.db" --password-stdin > /dev/null 2> "$tmp/err"
expect "init refuses a short password" 1 $?
[ ! -e "$tmp/other.db" ] && ok "…and creates nothing" || no "a database was created"

printf 'password12345\n' | "$ctl" init --clinic-name X --admin a --database "$tmp/other.db" --password-stdin > /dev/null 2> "$tmp/err"
expect "init refuses a dictionary password" 1 $?
one_line "…saying it is too easy to guess" "$tmp/err" "too easy to guess"

"$ctl" init --admin a --database "$tmp/other.db" --password-stdin < /dev/null > /dev/null 2> "$tmp/err"
expect "init without --clinic-name is a usage error" 2 $?

# Global options before or after the command.
printf '%s\n' "$pw" | "$ctl" verify --database "$db" --user admin --password-stdin > "$tmp/out" 2> "$tmp/err"
expect "verify with the right password" 0 $?
grep -q "integrity check: ok" "$tmp/out" && ok "verify reports integrity ok" || no "verify said: $(cat "$tmp/out")"
grep -q "attachments checked: 0 of 0" "$tmp/out" && ok "verify reports the attachments checked" || no "verify said: $(cat "$tmp/out")"

printf 'wrong password!\n' | "$ctl" --database "$db" --user admin --password-stdin verify > /dev/null 2> "$tmp/err"
expect "verify with a wrong password fails" 1 $?
one_line "…with the one message for name and password" "$tmp/err" "The user name or password is not right."

printf '%s\n' "$pw" | "$ctl" --user nobody verify --database "$db" --password-stdin > /dev/null 2> "$tmp/err2"
expect "an unknown user fails" 1 $?
cmp -s "$tmp/err" "$tmp/err2" && ok "…with exactly the same message" || no "messages differ"

head -1 "$tmp/key" | "$ctl" verify --database "$db" --recovery-key-stdin > /dev/null 2> "$tmp/err"
expect "the recovery key opens the database" 0 $?

printf '%s\n' "$pw" | "$ctl" backup "$tmp/monday.backup" --database "$db" --user admin --password-stdin > "$tmp/out" 2> "$tmp/err"
expect "backup" 0 $?
[ -s "$tmp/monday.backup" ] && ok "backup file written" || no "no backup file"
if grep -aq "Lindenhof" "$tmp/monday.backup" "$db"; then no "clinic name in plaintext"; else ok "no plaintext in database or backup"; fi

cp "$tmp/monday.backup" "$tmp/damaged.backup"
printf 'X' | dd of="$tmp/damaged.backup" bs=1 seek=9000 conv=notrunc 2> /dev/null
printf '%s\n' "$pw" | "$ctl" restore "$tmp/damaged.backup" --database "$db" --user admin --password-stdin > /dev/null 2> "$tmp/err"
expect "restore refuses a damaged backup" 1 $?
one_line "…saying it is damaged" "$tmp/err" "damaged"

printf '%s\n' "$pw" | "$ctl" restore "$tmp/monday.backup" --database "$db" --user admin --password-stdin > /dev/null 2> "$tmp/err"
expect "restore a good backup" 0 $?
[ -f "$db.pre-restore" ] && ok "the previous database is kept" || no "no pre-restore copy"

printf '%s\n' "$pw" | "$ctl" rekey --database "$db" --user admin --password-stdin > "$tmp/key2" 2> /dev/null
expect "rekey" 0 $?
if [ -s "$tmp/key2" ] && ! cmp -s "$tmp/key" "$tmp/key2"; then ok "rekey prints a new recovery key"; else no "same or no key"; fi
head -1 "$tmp/key" | "$ctl" verify --database "$db" --recovery-key-stdin > /dev/null 2>&1
expect "the old recovery key no longer opens it" 1 $?
head -1 "$tmp/key2" | "$ctl" verify --database "$db" --recovery-key-stdin > /dev/null 2>&1
expect "the new recovery key opens it" 0 $?

printf '%s\n%s\n' "$pw" "another long password" | "$ctl" passwd admin --database "$db" --password-stdin > /dev/null 2> "$tmp/err"
expect "passwd with the current password" 0 $?
printf '%s\n' "another long password" | "$ctl" verify --database "$db" --user admin --password-stdin > /dev/null 2>&1
expect "the new password opens it" 0 $?
printf '%s\n' "$pw" | "$ctl" verify --database "$db" --user admin --password-stdin > /dev/null 2>&1
expect "the old password does not" 1 $?

"$ctl" verify --database "$db" --user admin --password-stdin < /dev/null > /dev/null 2> "$tmp/err"
expect "no password on standard input is a usage error" 2 $?

"$ctl" verify --database "$tmp/none.db" --user admin --password-stdin < /dev/null > /dev/null 2>&1
[ $? -ne 0 ] && ok "a missing database is an error" || no "missing database accepted"

echo "1..$n"
exit $fail

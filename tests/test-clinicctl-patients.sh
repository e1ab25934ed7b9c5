#!/bin/sh
# test-clinicctl-patients.sh CLINICCTL — the demo clinic and the patient
# commands as a person types them: demo --patients N (logins printed one
# a line), patients search (chart number first, one audit event per
# search), patients show (the chart only for those who may read it).
set -u
ctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/clinic.db
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
no() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
expect() { # expect DESCRIPTION WANT-STATUS GOT-STATUS
  if [ "$2" -eq "$3" ]; then ok "$1"; else no "$1 (status $3, wanted $2)"; fi
}
login() { # login ROLE: the password the demo printed for that role
  awk -F '\t' -v role="$1" '$1 == role { print $3 }' "$tmp/logins"
}
user() {
  awk -F '\t' -v role="$1" '$1 == role { print $2 }' "$tmp/logins"
}
as() { # as ROLE ARGS…
  role=$1; shift
  login "$role" | "$ctl" --database "$db" --user "$(user "$role")" --password-stdin "$@"
}

"$ctl" demo --patients 300 --database "$db" > "$tmp/logins" 2> "$tmp/err"
expect "demo --patients 300" 0 $?
[ "$(cut -f1 "$tmp/logins" | tr '\n' ' ')" = "admin doctor frontdesk patient " ] \
  && ok "…prints one login per role, ROLE<TAB>USER<TAB>PASSWORD" || no "logins: $(cat "$tmp/logins")"
[ "$(awk -F '\t' 'NF == 3 && $3 != ""' "$tmp/logins" | wc -l)" -eq 4 ] && ok "…three fields each" \
  || no "logins: $(cat "$tmp/logins")"

"$ctl" demo --patients 5 --database "$db" > /dev/null 2> "$tmp/err"
expect "demo refuses a file that exists" 1 $?
grep -q "already" "$tmp/err" && ok "…and says why" || no "demo said: $(cat "$tmp/err")"

as frontdesk patients search "" --limit 1000 --inactive --deceased > "$tmp/all" 2> "$tmp/err"
expect "search everyone as the front desk" 0 $?
[ "$(wc -l < "$tmp/all")" -eq 300 ] && ok "…300 patients" || no "found $(wc -l < "$tmp/all")"
[ "$(cut -f1 "$tmp/all" | grep -c '^C[0-9]\{6\}$')" -eq 300 ] && ok "…chart number first on every line" \
  || no "lines: $(head -3 "$tmp/all")"
[ "$(cut -f2 "$tmp/all" | sort -u | wc -l)" -gt 150 ] && ok "…with varied names" || no "names repeat"
[ "$(cut -f3 "$tmp/all" | cut -c1-3 | sort -u | wc -l)" -ge 8 ] && ok "…born across the decades" || no "ages"

as frontdesk patients search "" --limit 1000 > "$tmp/active" 2> /dev/null
[ "$(wc -l < "$tmp/active")" -lt 300 ] && ok "inactive and deceased patients only when asked" \
  || no "no inactive demo patients"

as frontdesk patients search "schmidt paula" > "$tmp/out" 2> "$tmp/err"
expect "search by name parts" 0 $?
grep -q "^C000001	Schmidt, Paula	1987-04-23	" "$tmp/out" && ok "…finds the patient login's record" \
  || no "search said: $(cat "$tmp/out") $(cat "$tmp/err")"

phone=$(grep "^C000001	" "$tmp/all" | cut -f4 | tr -cd '0-9' | tail -c 5)
as frontdesk patients search "$phone" > "$tmp/out" 2> /dev/null
grep -q "^C000001	" "$tmp/out" && ok "search by the last digits of a phone number" || no "phone $phone: $(cat "$tmp/out")"

as frontdesk patients show c1 > "$tmp/out" 2> "$tmp/err"
expect "show c1 (the chart number, loosely typed)" 0 $?
grep -q "^given_names	Paula$" "$tmp/out" && ok "…one field a line" || no "show: $(cat "$tmp/out")"
grep -q "^treatment	" "$tmp/out" && no "…the front desk sees the treatment plan" || ok "…no treatment plan for the front desk"
as doctor patients show C000001 > "$tmp/out" 2> "$tmp/err"
grep -q "^treatment	" "$tmp/out" && ok "…the doctor sees it" || no "doctor: $(cat "$tmp/out") $(cat "$tmp/err")"

as frontdesk patients show C999999 > /dev/null 2> "$tmp/err"
expect "show an unknown chart number" 1 $?
as frontdesk patients frobnicate > /dev/null 2> "$tmp/err"
expect "an unknown verb is a usage error" 2 $?

as admin audit list --action patients.searched --limit 100 > "$tmp/out" 2> "$tmp/err"
expect "audit list" 0 $?
[ "$(wc -l < "$tmp/out")" -eq 4 ] && ok "…one audit event per search run (four searches)" || no "audit: $(cat "$tmp/out")"
as admin audit list --action patient.opened --limit 100 > "$tmp/out" 2> /dev/null
[ "$(wc -l < "$tmp/out")" -eq 2 ] && ok "…one per opened chart" || no "audit: $(cat "$tmp/out")"

# import patients: a list from another system, German headers, one bad row.
printf 'Nachname;Vorname;Geburtsdatum;Telefon;Farbe\nImportiert;Ida;1966-06-06;040 123456;blau\nFalsch;Fritz;1966-13-01;;rot\n' > "$tmp/list.csv"
as admin import patients "$tmp/list.csv" > "$tmp/out" 2> "$tmp/err"
expect "import with a bad row imports nothing" 1 $?
grep -q 'line 3, column “Geburtsdatum”: ' "$tmp/err" && ok "…and lists the row, column and reason" || no "import said: $(cat "$tmp/err")"
as frontdesk patients search importiert > "$tmp/out" 2> /dev/null
[ ! -s "$tmp/out" ] && ok "…nothing half-imported" || no "found: $(cat "$tmp/out")"
as admin import patients "$tmp/list.csv" --valid-only --map Farbe=notes > "$tmp/out" 2> "$tmp/err"
expect "import --valid-only --map Farbe=notes" 0 $?
grep -q "^1 patient imported" "$tmp/out" && ok "…imports the valid row" || no "import said: $(cat "$tmp/out") $(cat "$tmp/err")"
chart=$(as frontdesk patients search importiert 2> /dev/null | cut -f1)
as admin patients show "$chart" > "$tmp/out" 2> /dev/null
grep -q "^notes	blau$" "$tmp/out" && ok "…with the mapped column" || no "show: $(cat "$tmp/out")"
as doctor import patients "$tmp/list.csv" --valid-only > /dev/null 2> "$tmp/err"
expect "a doctor may not import patients" 1 $?

echo "1..$n"
exit $fail

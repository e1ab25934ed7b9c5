#!/bin/sh
# test-clinicctl-scheduling.sh CLINICCTL [RACES] — the appointment book
# from the terminal: visit-types list, availability, appointments book /
# list / cancel, a refused booking's sentence and status, and two clinicctl
# processes racing for one slot RACES times (20 here; the slow suite runs
# more): exactly one wins every time.
set -u
ctl=$1
races=${2:-20}
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
login() { awk -F '\t' -v role="$1" '$1 == role { print $3 }' "$tmp/logins"; }
user() { awk -F '\t' -v role="$1" '$1 == role { print $2 }' "$tmp/logins"; }
as() { # as ROLE ARGS…
  role=$1; shift
  login "$role" | "$ctl" --database "$db" --user "$(user "$role")" --password-stdin "$@"
}

"$ctl" demo --patients 60 --doctors 2 --database "$db" > "$tmp/logins" 2> "$tmp/err"
expect "demo with 2 doctors" 0 $?

as frontdesk visit-types list > "$tmp/types" 2> "$tmp/err"
expect "visit-types list" 0 $?
[ "$(head -1 "$tmp/types" | cut -f1)" = "Check-up" ] && ok "…the name first, as --type takes it" \
  || no "types: $(cat "$tmp/types")"
[ "$(wc -l < "$tmp/types")" -eq 6 ] && ok "…six demo visit types" || no "types: $(cat "$tmp/types")"

# A Tuesday beyond the demo's half year of appointments; ask for the free
# times.
day=$(date -d "next tuesday + 400 days" +%F)
last=$(date -d "next tuesday + 460 days" +%F)
as frontdesk availability --doctor weber --type Consultation --from "$day" --to "$day" > "$tmp/free" 2> "$tmp/err"
expect "availability" 0 $?
[ -s "$tmp/free" ] && ok "…lists free times" || no "no free time on $day: $(cat "$tmp/err")"
head -1 "$tmp/free" | grep -q "^$day [0-9][0-9]:[0-9][0-9]	$day [0-9][0-9]:[0-9][0-9]	weber$" \
  && ok "…one a line: start, end, doctor" || no "line: $(head -1 "$tmp/free")"

slot=$(head -1 "$tmp/free" | cut -f1)
as frontdesk appointments book --doctor weber --patient C000002 --type Consultation --start "$slot" \
  --reason "Cough" > "$tmp/id" 2> "$tmp/err"
expect "appointments book" 0 $?
grep -q '^[0-9][0-9]*$' "$tmp/id" && ok "…prints the new ID#" || no "book said: $(cat "$tmp/id") $(cat "$tmp/err")"
id=$(cat "$tmp/id")

as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "$slot" \
  > /dev/null 2> "$tmp/err"
expect "a booking over another is refused" 1 $?
grep -q "overlaps another appointment" "$tmp/err" && ok "…with the core's sentence" || no "said: $(cat "$tmp/err")"

as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "$day 06:00" \
  > /dev/null 2> "$tmp/err"
expect "outside working hours is refused" 1 $?
grep -q "working hours" "$tmp/err" && ok "…and says so" || no "said: $(cat "$tmp/err")"
as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "2020-01-06 09:00" \
  > /dev/null 2> "$tmp/err"
expect "the past is refused" 1 $?
as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "06.01.2027 09:00" \
  > /dev/null 2> "$tmp/err"
expect "a date in the wrong format is refused" 1 $?
grep -q "YYYY-MM-DD HH:MM" "$tmp/err" && ok "…naming the format" || no "said: $(cat "$tmp/err")"
as frontdesk appointments book --doctor nobody --patient C000003 --type Check-up --start "$slot" \
  > /dev/null 2> "$tmp/err"
expect "an unknown doctor is refused" 1 $?

as frontdesk appointments list --date "$day" --doctor weber > "$tmp/list" 2> "$tmp/err"
expect "appointments list" 0 $?
grep -q "^$id	$day	${slot#* }-[0-9:]*	weber	Consultation	booked	C000002	" "$tmp/list" \
  && ok "…ID#, date, time, doctor, visit type, status, patient" || no "list: $(cat "$tmp/list")"

as frontdesk appointments cancel "$id" > /dev/null 2> "$tmp/err"
expect "cancel without a reason is refused" 2 $?
as frontdesk appointments cancel "$id" --reason "Patient is ill" 2> "$tmp/err"
expect "cancel with a reason" 0 $?
as frontdesk appointments list --date "$day" --doctor weber | grep -q "^$id	.*	cancelled	" \
  && ok "…listed as cancelled" || no "not cancelled"

# The race: two programs book the same free time for different patients,
# on the hour and half hour (30-minute visits that do not touch each other).
as frontdesk availability --doctor weber --type Consultation --from "$day" --to "$last" 2> /dev/null \
  | grep -v "^$day " | grep "^[0-9-]* [0-9][0-9]:[03]0	" > "$tmp/free"
i=0
won_total=0
while [ $i -lt "$races" ]; do
  i=$((i+1))
  slot=$(sed -n "${i}p" "$tmp/free" | cut -f1)
  [ -n "$slot" ] || { no "ran out of free times at race $i"; break; }
  as frontdesk appointments book --doctor weber --patient C000010 --type Consultation --start "$slot" \
    > "$tmp/a" 2> "$tmp/ae" &
  pa=$!
  as frontdesk appointments book --doctor weber --patient C000011 --type Consultation --start "$slot" \
    > "$tmp/b" 2> "$tmp/be" &
  pb=$!
  wait $pa; sa=$?
  wait $pb; sb=$?
  won=$(( (sa == 0) + (sb == 0) ))
  lost_ok=1
  [ $sa -ne 0 ] && ! grep -q "overlaps" "$tmp/ae" && lost_ok=0
  [ $sb -ne 0 ] && ! grep -q "overlaps" "$tmp/be" && lost_ok=0
  if [ $won -ne 1 ] || [ $lost_ok -ne 1 ]; then
    no "race $i at $slot: $won won ($(cat "$tmp/ae" "$tmp/be"))"
  fi
  won_total=$((won_total + won))
done
[ $won_total -eq "$races" ] && ok "$races races for one slot: exactly one booking won each" \
  || no "$won_total winners in $races races"
booked=0
for d in $(cut -c1-10 "$tmp/free" | head -"$races" | sort -u); do
  c=$(as frontdesk appointments list --date "$d" --doctor weber 2> /dev/null | grep -c '	booked	C00001[01]	')
  booked=$((booked + c))
done
[ $booked -eq "$races" ] && ok "…and the book holds one appointment per race" || no "$booked booked for $races races"

echo "1..$n"
exit $fail

#!/bin/sh
# test-clinicctl-scheduling.sh CLINICCTL [RACES] — the appointment book
# from the terminal: visit-types list, availability, appointments book /
# list / cancel, rooms list / add / retire and booking into a room, a
# refused booking's sentence and status, and two clinicctl
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

# Rooms: the demo has three, Room 1 for weber's hours and Room 2 for
# doctor2's. Only an administrator adds or retires one.
as frontdesk rooms list > "$tmp/rooms" 2> "$tmp/err"
expect "rooms list" 0 $?
[ "$(cat "$tmp/rooms")" = "$(printf 'Room 1\tactive\nRoom 2\tactive\nRoom 3\tactive')" ] \
  && ok "…one a line, the name first" || no "rooms: $(cat "$tmp/rooms")"
as frontdesk rooms add "Room 4" > /dev/null 2> "$tmp/err"
expect "the front desk cannot add a room" 1 $?
as admin rooms add "  Room 4 " 2> "$tmp/err"
expect "rooms add" 0 $?
as admin rooms add "room 4" > /dev/null 2> "$tmp/err"
expect "a name taken in another case is refused" 1 $?
grep -q "already a room called “Room 4”" "$tmp/err" && ok "…naming the room" || no "said: $(cat "$tmp/err")"
as frontdesk rooms list | grep -q "^Room 4	active$" && ok "…listed, trimmed" || no "Room 4 not listed"

as frontdesk appointments book --doctor weber --patient C000002 --type Check-up --start "$day 09:00" \
  --room "room 4" > "$tmp/id" 2> "$tmp/err"
expect "booking with --room" 0 $?
rid=$(cat "$tmp/id")
as frontdesk appointments book --doctor doctor2 --patient C000003 --type Check-up --start "$day 09:00" \
  --room "Room 4" > /dev/null 2> "$tmp/err"
expect "another doctor in the same room at the same time is refused" 1 $?
grep -q "The room “Room 4” is taken" "$tmp/err" && ok "…naming the room" || no "said: $(cat "$tmp/err")"
as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "$day 10:00" \
  > "$tmp/id2" 2> "$tmp/err"
expect "booking without --room" 0 $?
as frontdesk appointments list --date "$day" --doctor weber > "$tmp/list" 2> "$tmp/err"
grep -q "^$rid	.*	booked	C000002	[^	]*	Room 4$" "$tmp/list" \
  && ok "…list shows the room asked for, last" || no "list: $(cat "$tmp/list")"
grep -q "^$(cat "$tmp/id2")	.*	booked	C000003	[^	]*	Room 1$" "$tmp/list" \
  && ok "…and the room of the doctor's hours when none was asked for" || no "list: $(cat "$tmp/list")"
as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "$day 11:00" \
  --room "Attic" > /dev/null 2> "$tmp/err"
expect "an unknown room is refused" 1 $?
grep -q "no room “Attic”" "$tmp/err" && ok "…and says so" || no "said: $(cat "$tmp/err")"
as admin rooms retire "Room 4" 2> "$tmp/err"
expect "rooms retire" 0 $?
as frontdesk rooms list | grep -q "^Room 4" && no "a retired room is listed" || ok "…no longer listed"
as frontdesk rooms list --all | grep -q "^Room 4	retired$" && ok "…but with --all, as retired" \
  || no "--all: $(as frontdesk rooms list --all)"
as frontdesk appointments list --date "$day" --doctor weber | grep -q "^$rid	.*	Room 4$" \
  && ok "…its booked appointment keeps the room" || no "lost the room"
as frontdesk appointments book --doctor weber --patient C000003 --type Check-up --start "$day 11:00" \
  --room "Room 4" > /dev/null 2> "$tmp/err"
expect "a retired room cannot be booked" 1 $?
grep -q "retired" "$tmp/err" && ok "…and says so" || no "said: $(cat "$tmp/err")"

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

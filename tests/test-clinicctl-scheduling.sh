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
# A recurring series: weekly, four times, on a Tuesday further on (the
# race below takes the free times of the days after $day; the series
# takes 08:00, which a Consultation at the half hour does not touch).
s1=$(date -d "$day + 70 days" +%F)
s2=$(date -d "$s1 + 7 days" +%F)
s3=$(date -d "$s1 + 14 days" +%F)
s4=$(date -d "$s1 + 21 days" +%F)
count_rows() { # count_rows DAY… — the doctor's appointments on those days
  for d in "$@"; do as frontdesk appointments list --date "$d" --doctor weber 2> /dev/null; done | wc -l
}
as frontdesk appointments book --doctor weber --patient C000007 --type Check-up --start "$s1 08:00" \
  --repeat weekly --count 4 > "$tmp/series" 2> "$tmp/err"
expect "appointments book --repeat weekly --count 4" 0 $?
[ "$(grep -c '^[0-9][0-9]*$' "$tmp/series")" -eq 4 ] && [ "$(wc -l < "$tmp/series")" -eq 4 ] \
  && ok "…prints four ID#s, one a line" || no "series said: $(cat "$tmp/series") $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] && ok "…and nothing on stderr" || no "stderr: $(cat "$tmp/err")"
listed=1
i=0
for d in "$s1" "$s2" "$s3" "$s4"; do
  i=$((i+1))
  sid=$(sed -n "${i}p" "$tmp/series")
  as frontdesk appointments list --date "$d" --doctor weber 2> /dev/null \
    | grep -q "^$sid	$d	08:00-[0-9:]*	weber	Check-up	booked	C000007	" || listed=0
done
[ $listed -eq 1 ] && ok "…each listed on its Tuesday at 08:00" || no "series not listed as booked"
as frontdesk appointments series "$(head -1 "$tmp/series")" > "$tmp/occ" 2> "$tmp/err"
expect "appointments series" 0 $?
[ "$(cut -f1 "$tmp/occ")" = "$(cat "$tmp/series")" ] && grep -q "^[0-9]*	$s2	08:00-[0-9:]*	booked$" "$tmp/occ" \
  && ok "…lists the four still to come: ID#, date, time, status" || no "series listed: $(cat "$tmp/occ")"

# A conflict refuses the whole series, naming the date; nothing is booked.
c1=$(date -d "$s1 + 28 days" +%F)
c2=$(date -d "$c1 + 7 days" +%F)
c3=$(date -d "$c1 + 14 days" +%F)
as frontdesk appointments book --doctor weber --patient C000006 --type Check-up --start "$c2 09:00" \
  > "$tmp/blocker" 2> "$tmp/err"
expect "a booking in the way of a series" 0 $?
before=$(count_rows "$c1" "$c2" "$c3")
as frontdesk appointments book --doctor weber --patient C000005 --type Check-up --start "$c1 09:00" \
  --repeat weekly --count 3 > "$tmp/out" 2> "$tmp/err"
expect "a series over a booked time is refused" 1 $?
grep -q "^clinicctl: 1 of the 3 dates cannot be booked; the first, $c2 09:00: .*overlaps another appointment" "$tmp/err" \
  && [ "$(wc -l < "$tmp/err")" -eq 1 ] && ok "…in one sentence naming the date and why" || no "said: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] && ok "…printing no ID#" || no "printed: $(cat "$tmp/out")"
[ "$(count_rows "$c1" "$c2" "$c3")" -eq "$before" ] && ok "…and booking nothing" \
  || no "$before rows before, $(count_rows "$c1" "$c2" "$c3") after"
as frontdesk appointments book --doctor weber --patient C000005 --type Check-up --start "$c1 09:00" \
  --repeat weekly --count 3 --skip-conflicts > "$tmp/out" 2> "$tmp/err"
expect "--skip-conflicts books the rest" 0 $?
[ "$(wc -l < "$tmp/out")" -eq 2 ] && ok "…two ID#s" || no "printed: $(cat "$tmp/out")"
grep -q "^1 date not booked (it cannot be booked): $c2 09:00$" "$tmp/err" \
  && ok "…and the date left out on stderr" || no "said: $(cat "$tmp/err")"
[ "$(count_rows "$c1" "$c2" "$c3")" -eq $((before + 2)) ] \
  && as frontdesk appointments list --date "$c3" --doctor weber | grep -q "^$(sed -n 2p "$tmp/out")	$c3	09:00-.*	C000005	" \
  && ok "…on the first and third Tuesday" || no "not booked as asked"
as frontdesk appointments book --doctor weber --patient C000005 --type Check-up --start "$c1 10:00" \
  --repeat fortnightly --count 3 > /dev/null 2> "$tmp/err"
expect "an unknown --repeat is refused" 2 $?
as frontdesk appointments book --doctor weber --patient C000005 --type Check-up --start "$c1 10:00" \
  --repeat weekly > /dev/null 2> "$tmp/err"
expect "a series without --count or --until is refused" 2 $?
as frontdesk appointments book --doctor weber --patient C000005 --type Check-up --start "$c1 10:00" \
  --count 3 > /dev/null 2> "$tmp/err"
expect "--count without --repeat is refused" 2 $?
as frontdesk appointments book --doctor weber --patient C000005 --type Check-up --start "$c1 10:00" \
  --repeat monthly-date --until "$(date -d "$c1 + 2 months" +%F)" > "$tmp/out" 2> "$tmp/err"
expect "a monthly series --until a date" 0 $?
[ "$(wc -l < "$tmp/out")" -eq 3 ] && ok "…three months, three ID#s" || no "printed: $(cat "$tmp/out") $(cat "$tmp/err")"

# Cancelling the second Tuesday of the weekly series and those after it.
second=$(sed -n 2p "$tmp/series")
as frontdesk appointments cancel "$second" --reason "Therapy ends" --series sometimes > /dev/null 2> "$tmp/err"
expect "an unknown --series is refused" 2 $?
as frontdesk appointments cancel "$second" --reason "Therapy ends" --series following 2> "$tmp/err"
expect "appointments cancel --series following" 0 $?
statuses=""
i=0
for d in "$s1" "$s2" "$s3" "$s4"; do
  i=$((i+1))
  sid=$(sed -n "${i}p" "$tmp/series")
  st=$(as frontdesk appointments list --date "$d" --doctor weber 2> /dev/null | awk -F '\t' -v id="$sid" '$1 == id { print $6 }')
  statuses="$statuses $st"
done
[ "$statuses" = " booked cancelled cancelled cancelled" ] && ok "…cancels it and the later ones, not the first" \
  || no "statuses:$statuses"
as frontdesk appointments series "$(head -1 "$tmp/series")" > "$tmp/occ" 2> "$tmp/err"
[ "$(cut -f1 "$tmp/occ")" = "$(head -1 "$tmp/series")" ] && ok "…and the series has one still to come" \
  || no "series listed: $(cat "$tmp/occ") $(cat "$tmp/err")"
as frontdesk appointments cancel "$(head -1 "$tmp/series")" --reason "Moved away" 2> "$tmp/err"
expect "cancel without --series cancels that one" 0 $?

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

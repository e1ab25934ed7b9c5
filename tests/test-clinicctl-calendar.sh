#!/bin/sh
# test-clinicctl-calendar.sh CLINICCTL — calendars from the terminal:
# export ics (busy by default, full with the export permission, mode
# 0600, read by python3-icalendar), import ics into a second clinic with
# the same doctors and patients (the same appointments; again changes
# nothing), a conflict report that imports nothing, blocked time, a
# hostile file refused with its reason.
set -u
ctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
no() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
expect() { # expect DESCRIPTION WANT-STATUS GOT-STATUS
  if [ "$2" -eq "$3" ]; then ok "$1"; else no "$1 (status $3, wanted $2)"; fi
}
login() { awk -F '\t' -v role="$1" '$1 == role { print $3 }' "$tmp/logins"; }
user() { awk -F '\t' -v role="$1" '$1 == role { print $2 }' "$tmp/logins"; }
as() { # as DB ROLE ARGS…
  db=$1; role=$2; shift 2
  login "$role" | "$ctl" --database "$tmp/$db.db" --user "$(user "$role")" --password-stdin "$@"
}

# Two clinics from one seed: the same doctors, patients and visit types;
# the second without appointments.
"$ctl" demo --patients 40 --doctors 2 --appointments 300 --seed 5 --database "$tmp/a.db" > "$tmp/logins" 2> "$tmp/err"
expect "demo clinic" 0 $?
"$ctl" demo --patients 40 --doctors 2 --appointments 0 --seed 5 --database "$tmp/b.db" > /dev/null 2> "$tmp/err"
expect "empty twin clinic" 0 $?

from=$(date -d "+1 day" +%F)
to=$(date -d "+21 days" +%F)

as a frontdesk export ics --doctor weber --from "$from" --to "$to" "$tmp/busy.ics" > "$tmp/count" 2> "$tmp/err"
expect "export ics (busy)" 0 $?
count=$(cat "$tmp/count")
[ "$count" -gt 0 ] 2>/dev/null && ok "…prints the number of events ($count)" || no "said: $count $(cat "$tmp/err")"
[ "$(stat -c %a "$tmp/busy.ics")" = 600 ] && ok "…readable by its owner only" || no "mode $(stat -c %a "$tmp/busy.ics")"
grep -q "^SUMMARY:Busy" "$tmp/busy.ics" && ! grep -q "X-CLINIC\|C0000" "$tmp/busy.ics" \
  && ok "…busy only: no patient" || no "busy file shows more"
/usr/bin/python3 - "$tmp/busy.ics" "$count" <<'PY' 2> "$tmp/err"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = cal.walk('VEVENT')
assert len(events) == int(sys.argv[2]), len(events)
assert all(e.decoded('DTSTART').tzinfo is not None for e in events)
assert len(set(str(e['UID']) for e in events)) == len(events)
PY
expect "…python3-icalendar reads it: every event, zoned times, unique UIDs" 0 $?

as a frontdesk export ics --doctor weber --from "$from" --to "$to" --detail full "$tmp/full.ics" > /dev/null 2> "$tmp/err"
expect "full detail needs the export permission" 1 $?
as a frontdesk export ics --detail everything "$tmp/x.ics" > /dev/null 2> "$tmp/err"
expect "an unknown detail is a usage error" 2 $?
as a admin export ics --doctor weber --from "$from" --to "$to" --detail full "$tmp/full.ics" > /dev/null 2> "$tmp/err"
expect "export ics --detail full (admin)" 0 $?
grep -q "^X-CLINIC-CHART-NUMBER:C0" "$tmp/full.ics" && ok "…carries the chart numbers" || no "no chart numbers"

as b frontdesk import ics --doctor weber --dry-run "$tmp/full.ics" > "$tmp/report" 2> "$tmp/err"
expect "import ics --dry-run" 0 $?
[ "$(cut -f2 "$tmp/report" | grep -cv '^new$\|^skipped$')" -eq 0 ] && ok "…every event new (or cancelled)" \
  || no "report: $(cat "$tmp/report")"
as b frontdesk appointments list --date "$from" --doctor weber > "$tmp/none" 2> "$tmp/err"
[ ! -s "$tmp/none" ] && ok "…and nothing imported" || no "dry run imported"

as b frontdesk import ics --doctor weber "$tmp/full.ics" > "$tmp/report" 2> "$tmp/err"
expect "import ics" 0 $?
grep -q "Events imported" "$tmp/err" && ok "…says how many" || no "said: $(cat "$tmp/err")"

# The same appointments, day by day (without the ID#s).
same=1
d=$from
while [ "$d" \< "$to" ]; do
  as a frontdesk appointments list --date "$d" --doctor weber | grep -v "cancelled\|no-show" | cut -f2- > "$tmp/la"
  as b frontdesk appointments list --date "$d" --doctor weber | cut -f2- > "$tmp/lb"
  cmp -s "$tmp/la" "$tmp/lb" || { same=0; echo "# $d differs"; diff "$tmp/la" "$tmp/lb" | sed 's/^/# /'; }
  d=$(date -d "$d + 1 day" +%F)
done
[ $same -eq 1 ] && ok "…the same appointments in the empty clinic" || no "the books differ"

as b frontdesk import ics --doctor weber "$tmp/full.ics" > "$tmp/report" 2> "$tmp/err"
expect "the same file again" 0 $?
[ "$(cut -f2 "$tmp/report" | sort -u)" = skipped ] && ok "…changes nothing" || no "report: $(cat "$tmp/report")"

# An event over one of weber's appointments: reported, nothing imported.
first=$(as b frontdesk appointments list --date "$(head -1 "$tmp/report" | cut -f3 | cut -c1-10)" --doctor weber | head -1)
day=$(echo "$first" | cut -f2); time=$(echo "$first" | cut -f3 | cut -c1-5)
stamp=$(echo "$day$time" | tr -d ':-')
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:clash@test\r\nDTSTART:%sT%s00\r\nDURATION:PT30M\r\nX-CLINIC-CHART-NUMBER:C000004\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:nobody@test\r\nDTSTART:%sT063000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
  "$(echo "$day" | tr -d -)" "$(echo "$time" | tr -d :)" "$(echo "$day" | tr -d -)" > "$tmp/clash.ics"
as b frontdesk import ics --doctor weber "$tmp/clash.ics" > "$tmp/report" 2> "$tmp/err"
expect "a conflicting file is refused" 1 $?
grep -q "^1	conflict	$day $time	That time overlaps another appointment" "$tmp/report" \
  && ok "…the report names the conflict" || no "report: $(cat "$tmp/report")"
grep -q "^2	unmatched	" "$tmp/report" && ok "…and the event without a patient" || no "report: $(cat "$tmp/report")"
grep -q "Nothing was imported" "$tmp/err" && ok "…with the core's sentence" || no "said: $(cat "$tmp/err")"

# Events typed in another calendar program carry a name and maybe a date
# of birth, not our chart number: the patient is found by them, and one
# found by name alone is marked for the front desk to check.
line=$(as b frontdesk patients search "" --limit 1 2> /dev/null)
pchart=$(echo "$line" | cut -f1)
family=$(echo "$line" | cut -f2 | sed 's/, .*//'); given=$(echo "$line" | cut -f2 | sed 's/.*, //')
born=$(echo "$line" | cut -f3)
dob=$(date -d "$born" +%d.%m.%Y)
later=$(date -d "next monday + 190 days" +%F)
as b frontdesk availability --doctor weber --type Check-up --from "$later" --to "$later" > "$tmp/free" 2> "$tmp/err"
s1=$(sed -n 1p "$tmp/free" | cut -f1); s2=$(sed -n 3p "$tmp/free" | cut -f1)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\nUID:g1@google.com\r\nDTSTART:%s\r\nSUMMARY:%s %s\r\nDESCRIPTION:Knee\\nDOB: %s\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:g2@google.com\r\nDTSTART:%s\r\nSUMMARY:%s\\, %s\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
  "$(echo "$s1" | tr -d ': -' | sed 's/^\(........\)/\1T/')00" "$given" "$family" "$dob" \
  "$(echo "$s2" | tr -d ': -' | sed 's/^\(........\)/\1T/')00" "$family" "$given" > "$tmp/google.ics"
as b frontdesk import ics --doctor weber "$tmp/google.ics" > "$tmp/report" 2> "$tmp/err"
expect "import ics of events with a name and a date of birth" 0 $?
grep -q "^1	new	$s1	$" "$tmp/report" && ok "…the patient found by name and date of birth" \
  || no "report: $(cat "$tmp/report")"
grep -q "^2	new	$s2	Matched by name only" "$tmp/report" && ok "…and by name alone, marked to check" \
  || no "report: $(cat "$tmp/report")"
[ "$(as b frontdesk appointments list --date "$later" --doctor weber | grep -c "	$pchart	")" -eq 2 ] \
  && ok "…both booked for that patient" || no "list: $(as b frontdesk appointments list --date "$later" --doctor weber)"

# As blocked time for the other doctor: a whole day off the book.
far=$(date -d "next monday + 200 days" +%F)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:congress@test\r\nDTSTART;VALUE=DATE:%s\r\nSUMMARY:Congress\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
  "$(echo "$far" | tr -d -)" > "$tmp/away.ics"
doctor2=$(as b frontdesk availability --type Check-up --from "$far" --to "$far" | cut -f3 | grep -v '^weber$' | head -1)
as b frontdesk availability --doctor "$doctor2" --type Check-up --from "$far" --to "$far" > "$tmp/free" 2> "$tmp/err"
[ -s "$tmp/free" ] && ok "…$doctor2 is free on $far before" || no "no free time: $(cat "$tmp/err")"
as b frontdesk import ics --doctor "$doctor2" --blocked "$tmp/away.ics" > "$tmp/report" 2> "$tmp/err"
expect "import ics --blocked" 0 $?
as b frontdesk availability --doctor "$doctor2" --type Check-up --from "$far" --to "$far" > "$tmp/free" 2> "$tmp/err"
[ ! -s "$tmp/free" ] && ok "…and the day is blocked" || no "still free: $(head -3 "$tmp/free")"

# Hostile and malformed files: refused with the reason, nothing read.
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' > "$tmp/nostart.ics"
as b frontdesk import ics --doctor weber "$tmp/nostart.ics" > /dev/null 2> "$tmp/err"
expect "an event without DTSTART is refused" 1 $?
grep -q "no start (DTSTART)" "$tmp/err" && ok "…with the reason" || no "said: $(cat "$tmp/err")"
head -c 5000000 /dev/zero | tr '\0' 'A' | sed '1s/^/BEGIN:VCALENDAR\r\n/' > "$tmp/huge.ics"
as b frontdesk import ics --doctor weber "$tmp/huge.ics" > /dev/null 2> "$tmp/err"
expect "a huge file is refused" 1 $?
grep -q "larger than 4 MB" "$tmp/err" && ok "…with the reason" || no "said: $(cat "$tmp/err")"
as b doctor import ics --doctor weber "$tmp/full.ics" > /dev/null 2> "$tmp/err"
expect "a doctor does not import calendars" 1 $?

echo "1..$n"
exit $fail

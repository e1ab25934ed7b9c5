#!/usr/bin/env bash
# dev.sh — set up, build, run and test Clinic on Debian 12.
#
#   ./dev.sh run     install what is missing, build, open Clinic
#   ./dev.sh test    install what is missing, build, run every suite but
#                    "slow", then the core suite again under ASan/UBSan;
#                    the last line reads "N passed, N failed"
#   ./dev.sh build   install what is missing and build
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
top=$PWD
build=$top/build
build_asan=$top/build-asan

# Everything the build, the program and the tests need, from Debian 12.
packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libsqlite3-dev libsodium-dev libssl-dev libpwquality-dev cracklib-runtime
  libpoppler-glib-dev poppler-utils fonts-dejavu-core
  libxml2-utils desktop-file-utils appstream
  xvfb xauth dbus-daemon dbus-x11
  librsvg2-common adwaita-icon-theme fonts-cantarell shared-mime-info
  libical-dev python3-icalendar
  imagemagick valgrind
)

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

ensure_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  say "Installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "Please install as root: apt-get install ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    say "Configuring $dir"
    meson setup "$dir" -Dwerror=true "$@"
  fi
  say "Building $dir"
  meson compile -C "$dir"
}

# The program run from the build tree: compiled schemas and translations
# from there, nothing installed.
dev_env() {
  export GSETTINGS_SCHEMA_DIR=$build/data
  export CLINIC_LOCALEDIR=$build/po
}

# The demo clinic: `clinicctl demo` makes it (one login per role and a few
# thousand synthetic patients); later features add their own demo data.
DEMO_PATIENTS=${DEMO_PATIENTS:-5000}

make_demo() {
  local dir=$1 db=$1/clinic.db ctl=$build/src/cli/clinicctl
  mkdir -p "$dir"
  if [ ! -f "$db" ]; then
    say "Creating the demo clinic in $db ($DEMO_PATIENTS patients; a few seconds: every password is stretched with Argon2id)"
    if ! "$ctl" demo --patients "$DEMO_PATIENTS" --database "$db" > "$dir/logins.txt" 2> "$dir/recovery-key.txt"; then
      cat "$dir/recovery-key.txt" >&2
      rm -rf "$dir"
      say "Could not create the demo clinic."; exit 1
    fi
  fi
  echo
  echo "Demo logins (database $db):"
  local role name pw
  while IFS=$'\t' read -r role name pw; do
    printf '  %-10s %-7s %s\n' "$role" "$name" "$pw"
  done < "$dir/logins.txt"
  echo "  The patient login is for the kiosk seat; staff logins open the database."
  echo "  The demo's recovery key is in $dir/recovery-key.txt (a real clinic prints it and never keeps it on the PC)."
  echo "  Delete $dir to start over with the set-up assistant."
  echo
}

cmd_run() {
  ensure_packages
  configure_and_build "$build"
  dev_env

  local demo_dir=$build/demo
  make_demo "$demo_dir"
  say "Opening Clinic on $demo_dir/clinic.db"

  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    say "No display: running Clinic on a virtual X server (Ctrl+C to stop)."
    say "A screenshot will be saved to $build/dev-run.png after a few seconds."
    # Export the display to a known number so the screenshot can find it.
    xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
      "$0" --database "$1" &
      pid=$!
      sleep 4
      import -window root "$2" && echo "Screenshot: $2" >&2
      wait $pid' "$build/src/clinic" "$demo_dir/clinic.db" "$build/dev-run.png"
  else
    exec "$build/src/clinic" --database "$demo_dir/clinic.db"
  fi
}

# Counts meson's results (one per test program) from its JSON log.
count_results() {
  python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} {failed} {skipped}")
PY
}

cmd_test() {
  ensure_packages
  configure_and_build "$build"
  local status=0

  say "Running every suite but slow (under Xvfb and a private session bus)"
  rm -f "$build/meson-logs/testlog.json"
  xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    meson test -C "$build" --no-suite slow --print-errorlogs || status=1

  say "Running the core suite built with AddressSanitizer and UBSan"
  configure_and_build "$build_asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
  rm -f "$build_asan/meson-logs/testlog.json"
  meson test -C "$build_asan" --suite core --print-errorlogs || status=1

  read -r passed failed skipped < <(count_results "$build/meson-logs/testlog.json" \
                                                  "$build_asan/meson-logs/testlog.json")
  [ "$failed" -eq 0 ] || status=1
  say "Screenshots from the UI tests: $build/tests/output/"
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  return $status
}

case "${1:-}" in
  run) cmd_run ;;
  test) cmd_test ;;
  build) ensure_packages; configure_and_build "$build" ;;
  *)
    echo "Usage: ./dev.sh run | test | build" >&2
    exit 2
    ;;
esac

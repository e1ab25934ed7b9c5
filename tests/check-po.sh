#!/bin/sh
# check-po.sh SRCDIR — the translation catalogue is complete.
#
# 1. Every source, .ui and data file with translatable strings is listed in
#    po/POTFILES.in (a string in an unlisted file would never be translated).
# 2. Extracting the strings afresh and merging them into each language of
#    po/LINGUAS leaves nothing untranslated and nothing fuzzy.
set -eu
srcdir=$1
cd "$srcdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort)
found=$( { grep -rlE '\b(N?_|C_|NC_|g_dngettext|ngettext)\s*\(' src --include='*.c' || true;
           grep -rl 'translatable="yes"' ui data || true;
           grep -rlE '<(summary|description|name|caption|p|li)>' data --include='*.xml.in' --include='*.gschema.xml' || true;
           echo com.example.Clinic.desktop; } | sort -u)
for f in $found; do
  if ! printf '%s\n' "$listed" | grep -qx "$f"; then
    echo "not in po/POTFILES.in: $f"
    status=1
  fi
done
for f in $listed; do
  [ -f "$f" ] || { echo "listed in po/POTFILES.in but missing: $f"; status=1; }
done

grep -v '^#' po/POTFILES.in | sed '/^$/d' > "$tmp/files"
# The same keywords as meson's i18n "glib" preset.
xgettext --files-from="$tmp/files" --directory=. --output="$tmp/clinic.pot" \
  --from-code=UTF-8 --add-comments=Translators \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
  --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
  --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format

total=$(grep -c '^msgid ' "$tmp/clinic.pot")
echo "$((total - 1)) strings to translate"
for lang in $(sed 's/#.*//' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching --output-file="$tmp/$lang.po" "po/$lang.po" "$tmp/clinic.pot"
  msgfmt --check --output-file=/dev/null "$tmp/$lang.po"
  stats=$(LC_ALL=C msgfmt --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) status=1 ;;
  esac
  # Also catch entries present in the catalogue but missing from de.po.
  missing=$(msgattrib --untranslated "$tmp/$lang.po" | grep -c '^msgid ' || true)
  if [ "$missing" -gt 0 ]; then
    echo "$lang: $((missing - 1)) untranslated (see msgattrib --untranslated)"
    msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep '^msgid' | head -20
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# Checks the installers scripts/package.sh built (run it first), on this machine:
#  - the .deb: its metadata and files; `dpkg -i`; the installed app started under Xvfb in
#    demo mode until its first painted task list (the e2e test of a fresh install, through
#    WebDriver, against /usr/bin/deepen-tasks); `dpkg -r`; nothing of it left;
#  - the .rpm: its metadata and file list (`rpm -qip`/`-qlp`; Debian does not install rpms);
#  - the AppImage, when one was built: extracted (no FUSE needed) and started the same way.
# Needs root or sudo (dpkg). Prints what it checked and the size of each installer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# To read the .rpm and check the desktop entry.
for p in rpm desktop-file-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
bundle=target/release/bundle
newest() { ls -t "$@" 2>/dev/null | head -1 || true; }
deb=$(newest "$bundle"/deb/*.deb)
rpm=$(newest "$bundle"/rpm/*.rpm)
appimage=$(newest "$bundle"/appimage/*.AppImage)
[ -n "$deb" ] || { echo "package-test: no .deb in $bundle/deb: run scripts/package.sh first" >&2; exit 1; }

fail() { echo "package-test: FAILED: $*" >&2; exit 1; }
size() { printf '%s  %s bytes (%s)\n' "$1" "$(stat -c %s "$1")" "$(du -h "$1" | cut -f1)"; }

# The first painted list of a fresh install, through WebDriver, on the binary given.
first_list() {
  cargo build -p dtasks-e2e --tests --locked -q
  DTASKS_APP_BIN="$1" DTASKS_REQUIRE_E2E=1 xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
    cargo test -p dtasks-e2e --test app --locked -q a_fresh_install_opens_the_demo_with_data_and_a_banner
}

echo "== .deb: $(size "$deb")"
dpkg-deb --field "$deb" Package Version Architecture Depends Description | sed 's/^/   /'
contents=$(dpkg-deb --contents "$deb")
for f in usr/bin/deepen-tasks "usr/share/applications/Deepen Tasks.desktop" \
  usr/share/icons/hicolor/32x32/apps/deepen-tasks.png usr/share/icons/hicolor/256x256/apps/deepen-tasks.png; do
  grep -qF "$f" <<<"$contents" || fail "the .deb has no $f"
done
package=$(dpkg-deb --field "$deb" Package)
$sudo dpkg -i "$deb" >/dev/null || { $sudo apt-get install -f -y -qq >/dev/null; dpkg -s "$package" >/dev/null; }
desktop="/usr/share/applications/Deepen Tasks.desktop"
grep -q '^Exec=deepen-tasks' "$desktop" || fail "the desktop entry does not start deepen-tasks"
grep -q '^Icon=deepen-tasks' "$desktop" || fail "the desktop entry has no icon"
command -v desktop-file-validate >/dev/null && desktop-file-validate "$desktop"
echo "   installed: $(dpkg -s "$package" | grep -E '^(Status|Version|Installed-Size)' | tr '\n' ' ')"
first_list /usr/bin/deepen-tasks
echo "   the installed app opened the demo and painted its task list"
$sudo dpkg -r "$package" >/dev/null
! dpkg -s "$package" >/dev/null 2>&1 || fail "$package is still installed"
[ ! -e /usr/bin/deepen-tasks ] && [ ! -e "$desktop" ] || fail "files of $package were left behind"
echo "   removed cleanly"

if [ -n "$rpm" ]; then
  echo "== .rpm: $(size "$rpm")"
  if command -v rpm >/dev/null; then
    rpm -qip "$rpm" 2>/dev/null | grep -E '^(Name|Version|Release|Architecture|License|Summary)' | sed 's/^/   /'
    list=$(rpm -qlp "$rpm" 2>/dev/null)
    for f in /usr/bin/deepen-tasks "/usr/share/applications/Deepen Tasks.desktop"; do
      grep -qxF "$f" <<<"$list" || fail "the .rpm has no $f"
    done
    echo "   files and metadata as expected (not installed: this is Debian)"
  else
    echo "   (rpm not installed here: its contents are not checked)"
  fi
fi

if [ -n "$appimage" ]; then
  echo "== AppImage: $(size "$appimage")"
  extract=$(mktemp -d)
  trap 'rm -rf "$extract"' EXIT
  (cd "$extract" && "$OLDPWD/$appimage" --appimage-extract >/dev/null)
  first_list "$extract/squashfs-root/AppRun"
  echo "   the extracted AppImage opened the demo and painted its task list"
else
  echo "== AppImage: none built (see scripts/package.sh)"
fi
echo "package-test: all checks passed"

#!/usr/bin/env bash
# Drives the window under Xvfb with xdotool and saves screenshots of each stage.
#   tools/screens.sh BINARY OUTDIR -- [s3share flags]
# Needs: xvfb imagemagick xdotool (see README). Credentials come from the environment.
set -u
BIN=$1; OUT=$2; shift 2; [ "${1:-}" = "--" ] && shift
mkdir -p "$OUT"
N=95; while [ -e /tmp/.X11-unix/X$N ]; do N=$((N+1)); done
export DISPLAY=:$N
Xvfb :$N -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & XPID=$!
sleep 1
"$BIN" "$@" >"$OUT/app.log" 2>&1 & APID=$!
shot() { sleep "${2:-1.5}"; import -window root "$OUT/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; }
shot 01-start 6
# Each step: x y [wait] name
while read -r x y wait name; do
  [ -z "$x" ] && continue
  case "$x" in
    key) xdotool key "$y" ;;
    type) xdotool type --delay 200 "$y" ;;
    paste) printf %s "$y" | xclip -selection clipboard; sleep 0.3; xdotool key ctrl+v ;;
    clip) xclip -o -selection clipboard > "$OUT/clipboard.txt" 2>&1 ;;
    *) click "$x" "$y" ;;
  esac
  [ "$name" != "-" ] && shot "$name" "$wait" || sleep "$wait"
done
kill $APID; sleep 0.5; kill $XPID

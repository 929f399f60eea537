#!/bin/sh
# Regenerates the committed ORC fallbacks: update-orc-dist.sh ORCC SRCDIR
set -e
orcc=$1
dir=$2
for orc in "$dir"/*.orc; do
  base=${orc%.orc}
  "$orcc" --header -o "$base-orc-dist.h" "$orc"
  "$orcc" --implementation -o "$base-orc-dist.c" "$orc"
  echo "updated $(basename "$base")-orc-dist.{c,h}"
done

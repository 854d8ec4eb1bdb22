#!/usr/bin/env bash
# download_corpora.sh -- fetch well-known public corpora for training rnnscope
# on more text than the small corpora the project ships in corpora/.
#
# Writes into a data directory (default ./data, never corpora/), one plain-text
# file per corpus. Uses curl or wget, whichever exists. Each file is checked for
# being non-empty and, where the size is fixed, for its exact size; a corpus
# already present and valid is not downloaded again. Nothing in the test suite
# needs this script or the network.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

prog=$(basename "$0")
dir=./data

# name | url | output file | expected size in bytes (0 = not fixed) | minimum size | description
corpora=(
    "tinyshakespeare|https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt|tinyshakespeare.txt|1115394|1000000|Shakespeare plays, 1.1 MB (char-rnn's tiny-shakespeare)"
    "warandpeace|https://www.gutenberg.org/cache/epub/2600/pg2600.txt|warandpeace.txt|0|3000000|Tolstoy, War and Peace, Project Gutenberg #2600, about 3.3 MB"
    "enwik8|http://mattmahoney.net/dc/enwik8.zip|enwik8|100000000|100000000|first 100 MB of an English Wikipedia XML dump (Hutter prize), 36 MB zipped"
)

usage() {
    cat <<EOF
usage: $prog [--dir DIR] [NAME...]
       $prog --list

Download public corpora into DIR (default ./data). With no NAME, download all.
  --dir DIR   where to put the files (created if missing)
  --list      print the available names and exit
  -h, --help  print this help and exit
EOF
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

field() { # field RECORD INDEX
    local IFS='|'
    local -a parts
    read -r -a parts <<<"$1"
    printf '%s' "${parts[$2]}"
}

list() {
    local rec
    for rec in "${corpora[@]}"; do
        printf '%-16s %-20s %s\n' "$(field "$rec" 0)" "$(field "$rec" 2)" "$(field "$rec" 5)"
    done
}

# A progress bar only on a terminal; otherwise the tools stay silent and the
# caller prints the single failure line.
fetch() { # fetch URL OUT
    if command -v curl >/dev/null 2>&1; then
        if [ -t 2 ]; then
            curl -fL --progress-bar --retry 3 --connect-timeout 30 -o "$2" "$1"
        else
            curl -fsL --retry 3 --connect-timeout 30 -o "$2" "$1"
        fi
    elif command -v wget >/dev/null 2>&1; then
        if [ -t 2 ]; then
            wget -q --show-progress --tries=3 --timeout=30 -O "$2" "$1"
        else
            wget -q --tries=3 --timeout=30 -O "$2" "$1"
        fi
    else
        die "neither curl nor wget is installed; install one of them and rerun"
    fi
}

file_size() { wc -c <"$1" | tr -d ' '; }

# valid FILE EXPECTED MINIMUM: prints nothing, returns 0 when the file passes.
valid() {
    [ -s "$1" ] || return 1
    local size
    size=$(file_size "$1")
    if [ "$2" -gt 0 ]; then [ "$size" -eq "$2" ]; else [ "$size" -ge "$3" ]; fi
}

unzip_one() { # unzip_one ZIP MEMBER DESTDIR
    if command -v unzip >/dev/null 2>&1; then
        unzip -o -q "$1" "$2" -d "$3"
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' "$1" "$2" "$3"
    else
        die "cannot unpack $1: install unzip (or python3) and rerun"
    fi
}

download() { # download RECORD
    local name url out expect minimum path tmp size
    name=$(field "$1" 0)
    url=$(field "$1" 1)
    out=$(field "$1" 2)
    expect=$(field "$1" 3)
    minimum=$(field "$1" 4)
    path="$dir/$out"

    if valid "$path" "$expect" "$minimum"; then
        echo "$name: $path already present ($(file_size "$path") bytes)"
        return 0
    fi
    echo "$name: downloading $url"
    case "$url" in
        *.zip)
            tmp="$dir/.$out.zip.part"
            fetch "$url" "$tmp" || { rm -f "$tmp"; die "$name: download of $url failed; check the network and rerun"; }
            [ -s "$tmp" ] || { rm -f "$tmp"; die "$name: $url gave an empty file; rerun later"; }
            rm -rf "$dir/.$out.unzip"
            mkdir -p "$dir/.$out.unzip"
            unzip_one "$tmp" "$out" "$dir/.$out.unzip" ||
                { rm -rf "$tmp" "$dir/.$out.unzip"; die "$name: $tmp is not a valid zip holding $out; delete it and rerun"; }
            mv -f "$dir/.$out.unzip/$out" "$dir/.$out.part"
            rm -rf "$tmp" "$dir/.$out.unzip"
            ;;
        *)
            fetch "$url" "$dir/.$out.part" || { rm -f "$dir/.$out.part"; die "$name: download of $url failed; check the network and rerun"; }
            ;;
    esac
    tmp="$dir/.$out.part"
    if ! valid "$tmp" "$expect" "$minimum"; then
        size=$(file_size "$tmp")
        rm -f "$tmp"
        if [ "$expect" -gt 0 ]; then
            die "$name: got $size bytes from $url, expected $expect; the file is corrupt or has moved"
        fi
        die "$name: got $size bytes from $url, expected at least $minimum; the file is truncated or has moved"
    fi
    mv -f "$tmp" "$path"
    echo "$name: wrote $path ($(file_size "$path") bytes)"
}

names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --dir)
            [ $# -ge 2 ] || { echo "$prog: --dir needs a directory" >&2; usage >&2; exit 2; }
            dir=$2
            shift 2
            ;;
        --dir=*) dir=${1#--dir=}; shift ;;
        --list) list; exit 0 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "$prog: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) names+=("$1"); shift ;;
    esac
done
[ -n "$dir" ] || { echo "$prog: --dir needs a non-empty directory" >&2; exit 2; }

selected=()
if [ ${#names[@]} -eq 0 ]; then
    selected=("${corpora[@]}")
else
    for n in "${names[@]}"; do
        found=""
        for rec in "${corpora[@]}"; do
            if [ "$(field "$rec" 0)" = "$n" ]; then found=$rec; fi
        done
        if [ -z "$found" ]; then
            echo "$prog: unknown corpus '$n'; run $prog --list for the names" >&2
            exit 2
        fi
        selected+=("$found")
    done
fi

mkdir -p "$dir" || die "cannot create directory $dir"
for rec in "${selected[@]}"; do
    download "$rec"
done

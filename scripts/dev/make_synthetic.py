#!/usr/bin/env python3
# make_synthetic.py -- generate the synthetic long-range-memory corpora that
# rnnscope ships in corpora/: recall.txt (delayed recall) and brackets.txt
# (balanced brackets of several kinds); and, on request (--only spans), the
# prose with quoted and bracketed spans that the unit explorer's known-answer
# test trains on (scripts/dev/make_units_fixture.sh).
#
# What it is for: small, fully understood tasks where the loss a model *could*
# reach is known, so a learning curve says whether the network carries
# information across many steps. What it is not: a benchmark suite or a
# general data tool. Standard library only; the output depends only on the
# options (same --seed, same bytes, on any Python 3.6+).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import os
import random
import re
import sys

RECALL_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
RECALL_FILLER = "."
RECALL_SEP = "|"
# Delays are powers of two so that every octave from 1 to 128 steps is equally
# represented: a per-delay accuracy curve then shows exactly where memory fades.
RECALL_DELAYS = (1, 2, 4, 8, 16, 32, 64, 128)
RECALL_KEY_MIN = 3
RECALL_KEY_MAX = 5

BRACKET_PAIRS = ("()", "[]", "{}", "<>")
BRACKET_MAX_DEPTH = 8
BRACKET_MIN_PAIRS = 1
BRACKET_MAX_PAIRS = 48

# spans.txt: three small vocabularies, so that a model predicts the next word
# better when it knows whether it is inside a quote, inside brackets or neither;
# spelt with the same letters, so that which letters occur does not tell an
# untrained model where it is
SPANS_PROSE = ("the", "a", "old", "keeper", "lamp", "sea", "went", "up", "to", "and",
               "light", "stone", "wind", "was", "on", "of", "tower", "night", "it", "in")
SPANS_QUOTE = ("no", "we", "go", "now", "here", "see", "look", "wait", "then", "not",
               "so", "must", "i", "there", "well")
SPANS_BRACKET = ("see", "note", "page", "one", "two", "three", "four", "nine", "ten",
                 "first", "map", "ditto")
SPANS_LINE_MIN = 4     # words per line, uniform
SPANS_LINE_MAX = 18
SPANS_SPAN_MIN = 2     # words inside a quote or brackets, uniform
SPANS_SPAN_MAX = 10
SPANS_P_QUOTE = 0.08   # at each word outside a span: open a quote
SPANS_P_BRACKET = 0.06 # or open brackets

DESCRIPTION = """\
Generate corpora/recall.txt and corpora/brackets.txt.

recall.txt, one example per line:   KEY|FILLER|KEY
  KEY     3 to 5 symbols (uniform), each drawn uniformly and independently
          from a-z0-9 (36 symbols, log2(36) = 5.17 bits each), so the first
          copy is pure noise and the second copy can only be predicted by
          remembering the first.
  FILLER  D dots, with D drawn uniformly from {1,2,4,8,16,32,64,128}
          (12.5% of the lines each; mean delay 31.9).
  A model that remembers nothing pays about 5.17 bits on each symbol of the
  second KEY; a perfect memory pays 0 there.
  --recall-delays and --recall-key change the delay set and the key length;
  corpora/recall_short.txt, whose longest line (39 characters) fits a
  48-step BPTT window, is
    --only recall --recall-delays 2,4,8,16,32 --recall-key 2
    --recall-name recall_short.txt

brackets.txt, one sequence per line: a balanced string over (), [], {}, <>
  with N pairs, N uniform in 1..48, nesting depth at most 8. At each position
  an opening bracket (kind uniform) is written with a per-line probability p,
  p uniform in [0.35, 0.65], unless depth 8 or the pair budget forces a close.
  A closing bracket is fully determined by the stack, so its cost is 0 bits
  for a model with a stack and about 2 bits (which of 4 kinds) without.

spans.txt (only with --only spans; not shipped): prose-like lines of 4 to 18
  words (uniform) from a vocabulary of 20, in which, before each word, a
  quoted span "..." opens with probability 0.08 or a bracketed span (...) with
  probability 0.06; a span holds 2 to 10 words (uniform) from its own
  vocabulary (15 words in quotes, 12 in brackets) and never crosses a line or
  nests. A period ends a line now and then. A model that tracks whether a
  quote or bracket is open predicts the words and the closing mark better:
  the unit explorer's known answer (a quote unit and a bracket unit).
"""


def make_recall(rng, lines, delays=RECALL_DELAYS, key_min=RECALL_KEY_MIN, key_max=RECALL_KEY_MAX):
    out = []
    for _ in range(lines):
        klen = rng.randint(key_min, key_max)
        key = "".join(rng.choice(RECALL_ALPHABET) for _ in range(klen))
        delay = rng.choice(delays)
        out.append(key + RECALL_SEP + RECALL_FILLER * delay + RECALL_SEP + key + "\n")
    return "".join(out)


def make_bracket_line(rng):
    pairs = rng.randint(BRACKET_MIN_PAIRS, BRACKET_MAX_PAIRS)
    p_open = rng.uniform(0.35, 0.65)
    stack = []
    opened = 0
    chars = []
    while opened < pairs or stack:
        can_open = opened < pairs and len(stack) < BRACKET_MAX_DEPTH
        if can_open and (not stack or rng.random() < p_open):
            pair = rng.choice(BRACKET_PAIRS)
            chars.append(pair[0])
            stack.append(pair[1])
            opened += 1
        else:
            chars.append(stack.pop())
    return "".join(chars) + "\n"


def make_brackets(rng, lines):
    return "".join(make_bracket_line(rng) for _ in range(lines))


def check_brackets(text):
    """Verify every line is balanced and within the depth limit."""
    closer = {p[0]: p[1] for p in BRACKET_PAIRS}
    deepest = 0
    for n, line in enumerate(text.splitlines(), 1):
        stack = []
        for c in line:
            if c in closer:
                stack.append(closer[c])
                deepest = max(deepest, len(stack))
            elif not stack or stack.pop() != c:
                raise SystemExit("make_synthetic: internal error: brackets line %d unbalanced" % n)
        if stack:
            raise SystemExit("make_synthetic: internal error: brackets line %d unclosed" % n)
    if deepest > BRACKET_MAX_DEPTH:
        raise SystemExit("make_synthetic: internal error: depth %d > %d" % (deepest, BRACKET_MAX_DEPTH))
    return deepest


def make_spans_line(rng):
    words = []
    left = rng.randint(SPANS_LINE_MIN, SPANS_LINE_MAX)
    while left > 0:
        u = rng.random()
        if u < SPANS_P_QUOTE + SPANS_P_BRACKET:
            vocab, mark = (SPANS_QUOTE, '""') if u < SPANS_P_QUOTE else (SPANS_BRACKET, "()")
            span = [rng.choice(vocab) for _ in range(rng.randint(SPANS_SPAN_MIN, SPANS_SPAN_MAX))]
            words.append(mark[0] + " ".join(span) + mark[1])
            left -= len(span)
        else:
            words.append(rng.choice(SPANS_PROSE))
            left -= 1
    end = "." if rng.random() < 0.3 else ""
    return " ".join(words) + end + "\n"


def make_spans(rng, lines):
    return "".join(make_spans_line(rng) for _ in range(lines))


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)
    data = text.encode("ascii")
    print("%s: %d bytes, %d lines, %d distinct characters"
          % (path, len(data), text.count("\n"), len(set(text))))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_dir = os.path.normpath(os.path.join(here, "..", "..", "corpora"))
    ap = argparse.ArgumentParser(
        prog="make_synthetic.py",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1,
                    help="random seed; the same seed gives the same bytes (default 1)")
    ap.add_argument("--out-dir", default=default_dir,
                    help="directory to write into (default: the repository's corpora/)")
    ap.add_argument("--recall-lines", type=int, default=5000,
                    help="number of recall examples (default 5000, about 215 KB)")
    ap.add_argument("--bracket-lines", type=int, default=3000,
                    help="number of bracket sequences (default 3000, about 150 KB)")
    ap.add_argument("--recall-delays", default=",".join(map(str, RECALL_DELAYS)),
                    help="comma-separated filler lengths D, each equally likely "
                         "(default %(default)s)")
    ap.add_argument("--recall-key", default="%d-%d" % (RECALL_KEY_MIN, RECALL_KEY_MAX),
                    help="key length N or range MIN-MAX, uniform (default %(default)s)")
    ap.add_argument("--recall-name", default="recall.txt",
                    help="file name of the recall corpus in --out-dir (default %(default)s)")
    ap.add_argument("--spans-lines", type=int, default=3000,
                    help="--only spans: number of lines (default 3000, about 170 KB)")
    ap.add_argument("--spans-name", default="spans.txt",
                    help="--only spans: file name in --out-dir (default %(default)s)")
    ap.add_argument("--only", choices=("recall", "brackets", "spans"),
                    help="generate only this corpus (spans: only this way)")
    args = ap.parse_args(argv)
    if args.recall_lines < 1 or args.bracket_lines < 1 or args.spans_lines < 1:
        ap.error("--recall-lines, --bracket-lines and --spans-lines must be at least 1")
    try:
        delays = tuple(int(d) for d in args.recall_delays.split(","))
    except ValueError:
        delays = ()
    if not delays or min(delays) < 1:
        ap.error("--recall-delays %s: give positive integers separated by commas, e.g. 2,4,8"
                 % args.recall_delays)
    m = re.fullmatch(r"([0-9]+)(?:-([0-9]+))?", args.recall_key)
    key_min = int(m.group(1)) if m else 0
    key_max = int(m.group(2) or m.group(1)) if m else 0
    if key_min < 1 or key_max < key_min:
        ap.error("--recall-key %s: give a length N >= 1 or a range MIN-MAX, e.g. 3-5"
                 % args.recall_key)
    for opt, name in (("--recall-name", args.recall_name), ("--spans-name", args.spans_name)):
        if os.sep in name or not name:
            ap.error("%s %s: give a plain file name; use --out-dir for the directory"
                     % (opt, name))
    if not os.path.isdir(args.out_dir):
        ap.error("--out-dir %s: no such directory; create it first" % args.out_dir)

    # Each corpus gets its own generator seeded from (seed, name), so
    # regenerating one with --only gives the same bytes as regenerating both.
    if args.only in (None, "recall"):
        rng = random.Random("recall:%d" % args.seed)
        write(os.path.join(args.out_dir, args.recall_name),
              make_recall(rng, args.recall_lines, delays, key_min, key_max))
    if args.only in (None, "brackets"):
        rng = random.Random("brackets:%d" % args.seed)
        text = make_brackets(rng, args.bracket_lines)
        deepest = check_brackets(text)
        write(os.path.join(args.out_dir, "brackets.txt"), text)
        print("  deepest nesting: %d" % deepest)
    if args.only == "spans":
        rng = random.Random("spans:%d" % args.seed)
        write(os.path.join(args.out_dir, args.spans_name), make_spans(rng, args.spans_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

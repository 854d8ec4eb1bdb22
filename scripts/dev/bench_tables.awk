# bench_tables.awk — the Markdown tables of `make bench` (scripts/dev/bench.sh)
# from its JSON lines: every line has "part" (train, scale, sample, eval),
# "build" (default, native, torch) and "round"; "kind" says what measured it
# (sgemm, model: rnnscope bench; torch, torch_sample, torch_eval:
# torch_reference.py; cmd: a timed rnnscope command). Of repeated rows the
# fastest is shown. Variables: rounds, seconds, hmax (the H of sampling and
# evaluation), dash (the dashboard line), native (the -march=native binary,
# "" if none).

# the value of "key" in a flat JSON object (strings unquoted)
function val(line, key,   m) {
    if (match(line, "\"" key "\":(\"[^\"]*\"|[^,}]*)")) {
        m = substr(line, RSTART, RLENGTH); sub(/^[^:]*:/, "", m); gsub(/"/, "", m); return m
    }
    return ""
}
# 12345.6 -> "12,346"; "-" for nothing measured
function num(x,   s, neg) {
    if (x == "" || x == 0) return "-"
    s = sprintf("%.0f", x); neg = ""
    if (substr(s, 1, 1) == "-") { neg = "-"; s = substr(s, 2) }
    while (match(s, /[0-9][0-9][0-9][0-9](,|$)/)) s = substr(s, 1, RSTART) "," substr(s, RSTART + 1)
    return neg s
}
function pct(gf) { return (gf == "" || sgemm <= 0) ? "-" : sprintf("%.0f%%", 100 * gf / sgemm) }
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-" }
function keep(store, k, tps) { if (!(k in store) || tps > store[k]) { store[k] = tps; return 1 } return 0 }

# a table: trow(cells separated by "\t"), then tflush() pads and prints it
function trow(s) { rows[++nrows] = s }
function tflush(   i, j, n, c, w, line) {
    for (i = 1; i <= nrows; i++) { n = split(rows[i], c, "\t"); for (j = 1; j <= n; j++) if (length(c[j]) > w[j]) w[j] = length(c[j]) }
    for (i = 1; i <= nrows; i++) {
        n = split(rows[i], c, "\t"); line = "|"
        for (j = 1; j <= n; j++) line = line " " sprintf("%" (j == 1 ? "-" : "") w[j] "s", c[j]) " |"
        print line
        if (i > 1) continue
        line = "|"
        for (j = 1; j <= n; j++) line = line (j == 1 ? ":" : "-") sprintf("%" w[j] "s", "") (j == 1 ? "-" : ":") "|"
        gsub(/ /, "-", line); print line
    }
    nrows = 0; print ""
}

{
    part = val($0, "part"); build = val($0, "build"); kind = val($0, "kind"); tps = val($0, "tokens_per_s") + 0
}
kind == "sgemm" {
    g = val($0, "gflops") + 0; n_sgemm++
    if (g > sgemm) sgemm = g
    if (n_sgemm == 1 || g < sgemm_min) sgemm_min = g
    core = val($0, "core"); config = val($0, "config"); avx = val($0, "avx2_fma"); avx512 = val($0, "avx512"); sgemm_size = val($0, "n")
    next
}
kind == "model" || kind == "torch" {
    mk = part SUBSEP val($0, "cell") SUBSEP val($0, "layers") SUBSEP val($0, "hidden") SUBSEP val($0, "vocab")
    if (!(mk in seen)) { seen[mk] = 1; order[part, ++n_order[part]] = mk }
    k = mk SUBSEP build
    runs[k]++
    if (!keep(best, k, tps) || kind == "torch") next
    ms[k] = val($0, "ms_per_step"); gf[k] = val($0, "gflops"); rss[k] = val($0, "peak_rss_mb")
    maths[k] = val($0, "math_mb"); heap[k] = val($0, "heap_growth_bytes")
    fwd[mk] = val($0, "fwd_flops_per_token"); vocab[mk] = val($0, "vocab"); embed[mk] = val($0, "embed")
    label[mk] = val($0, "tokenizer") " " val($0, "cell") " " val($0, "layers") "x" val($0, "hidden")
    if (val($0, "tokenizer") == "word")
        label[mk] = label[mk] sprintf(" V=%d E=%d B=%d T=%d %s", val($0, "vocab"), val($0, "embed"), val($0, "batch"), val($0, "seq"), val($0, "optim"))
    next
}
kind == "torch_sample" || kind == "torch_eval" || kind == "cmd" {
    k = part SUBSEP build; runs[k]++; keep(best, k, tps)
    if (kind == "cmd") { tokens[part] = val($0, "tokens"); startup[k] = val($0, "startup_s") }
    next
}

END {
    printf "- OpenBLAS: %s (core %s); rnnscope's own kernels: %s\n", config, core, \
        avx512 == 1 ? "AVX-512 (and AVX2/FMA)" : avx == 1 ? "AVX2/FMA" : "portable code"
    printf "- sgemm %s^3: best %.1f GFLOP/s of %d runs (lowest %.1f), one before each `rnnscope bench`; every %% of sgemm below is against the best\n\n", sgemm_size, sgemm, n_sgemm, sgemm_min

    print "### Training: tokens/s of a whole step (forward, backward, clip, update)\n"
    trow("model\tbest of\ttokens/s\tms/step\tPyTorch tok/s\tratio\tGFLOP/s\t% of sgemm\tPyTorch % of sgemm\tpeak RSS MB\tmaths MB\theap growth")
    for (i = 1; i <= n_order["train"]; i++) {
        mk = order["train", i]; k = mk SUBSEP "default"; t = mk SUBSEP "torch"
        tg = (t in best) ? 3 * fwd[mk] * best[t] / 1e9 : ""
        trow(label[mk] "\t" runs[k] (t in runs ? " / " runs[t] : "") "\t" num(best[k]) "\t" sprintf("%.1f", ms[k]) "\t" \
             num(best[t]) "\t" ratio(best[k], best[t]) "\t" sprintf("%.1f", gf[k]) "\t" pct(gf[k]) "\t" pct(tg) "\t" \
             sprintf("%.1f", rss[k]) "\t" sprintf("%.1f", maths[k]) "\t" heap[k])
    }
    tflush()
    printf "Each rnnscope row times about %s s of steps after 3 warm-up steps; \"best of\" counts rnnscope's runs / PyTorch's (each of PyTorch's is the faster of its two thread settings). ", seconds
    print "GFLOP/s = 3 x the forward's FLOPs per token x tokens/s (2 per multiply-add; the backward does two products per forward product): per layer 2*G*H*(in+H) with G = 4 (lstm), 3 (gru), 1 (rnn), plus 2*V*H for the head. peak RSS is the process's; maths is what the parameters, gradients, optimizer state and one chunk's activations need; heap growth is over the timed steps.\n"

    if (n_order["scale"] > 0) {
        print "### Scaling: the char lstm (E=64, B=50, T=50, Adam) by width and depth, rnnscope\n"
        trow("H\tlayers\tbest of\ttokens/s\tms/step\tGFLOP/s\t% of sgemm\tforward MFLOP/token\thead share\tpeak RSS MB")
        for (i = 1; i <= n_order["scale"]; i++) {
            mk = order["scale", i]; k = mk SUBSEP "default"; split(mk, f, SUBSEP)
            trow(f[4] "\t" f[3] "\t" runs[k] "\t" num(best[k]) "\t" sprintf("%.1f", ms[k]) "\t" sprintf("%.1f", gf[k]) "\t" pct(gf[k]) "\t" \
                 sprintf("%.2f", fwd[mk] / 1e6) "\t" sprintf("%.0f%%", 100 * 2 * vocab[mk] * f[4] / fwd[mk]) "\t" sprintf("%.1f", rss[k]))
        }
        tflush()
        print "head share: the output layer's part of the FLOPs (2*V*H of the forward's). Small H does little arithmetic per byte moved and per element-wise gate operation, so it reaches less of sgemm; PyTorch is not run here (it would double the run).\n"
    }

    if (("sample" SUBSEP "default") in best) {
        print "### Sampling and evaluation: tokens/s, char lstm 2x" hmax "\n"
        trow("command\ttokens\tbest of\trnnscope tok/s\tPyTorch tok/s\tratio" (native != "" ? "\t-march=native tok/s" : "") "\tstart-up + load subtracted")
        trow(srow("sample", "`rnnscope sample` (single-token forwards, one draw each)"))
        trow(srow("eval", "`rnnscope eval` (one stream from a zero state)"))
        tflush()
        print "rnnscope: the wall time of the command over the tokens minus the fastest of three runs of the same command over one token, so process start-up and checkpoint load (the last column) cancel; reading and tokenizing the text stay in. PyTorch: the loop alone in one process (`torch_reference.py sample`: forward of one token, softmax, torch.multinomial, fed back; `eval`: one no-grad forward over the text and the cross-entropy), on untrained weights of the same shape; its threads as above.\n"
    }

    if (native != "") {
        print "### Builds: the portable build (run-time CPU dispatch) against -march=native\n"
        trow("model\tbest of\tdefault tok/s\t% of sgemm\t-march=native tok/s\t% of sgemm\tnative / default")
        for (i = 1; i <= n_order["train"]; i++) {
            mk = order["train", i]; k = mk SUBSEP "default"; kn = mk SUBSEP "native"
            if (!(kn in best)) continue
            trow(label[mk] "\t" runs[k] " / " runs[kn] "\t" num(best[k]) "\t" pct(gf[k]) "\t" num(best[kn]) "\t" pct(gf[kn]) "\t" ratio(best[kn], best[k]))
        }
        tflush()
        printf "The two builds' runs alternate within each of the %s rounds, so drift hits both alike; the best of each is shown.\n\n", rounds
    }
    if (dash != "") print dash
}

function srow(part, what,   k, t, kn, s) {
    k = part SUBSEP "default"; t = part SUBSEP "torch"; kn = part SUBSEP "native"
    s = what "\t" num(tokens[part]) "\t" runs[k] "\t" num(best[k]) "\t" num(best[t]) "\t" ratio(best[k], best[t])
    if (native != "") s = s "\t" num(best[kn])
    return s "\t" sprintf("%.2f s", startup[k])
}

#!/usr/bin/env node
// tb_check.js — an independent reader of the TensorBoard event files rnnscope
// writes (node's standard library only, no npm packages): checks the TFRecord
// framing and both masked CRC-32Cs of every record, decodes the Event protobuf
// (fields of tensorboard/compat/proto/event.proto and summary.proto:
// Event{wall_time 1, step 2, file_version 3, summary 5, session_log 7},
// Summary{value 1}, Value{tag 1, simple_value 2, histo 5},
// SessionLog{status 1; START = 1}) and then does what TensorBoard's event
// accumulator does with a run directory: read the files in name order and, at
// a SessionLog START, drop every event seen so far whose step is >= its step.
//
//   node tests/tb_check.js DIR
//
// Prints one line per record, "event FILE STEP KIND TAG VALUE" (KIND version,
// scalar, histo or session; VALUE the scalar, or the session status), then one
// line per scalar TensorBoard would show, "shown TAG STEP VALUE". Exit status 1
// with one line on stderr for a bad record.
"use strict";
const fs = require("fs");
const path = require("path");

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function crc32c(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function masked(buf) {
  const c = crc32c(buf);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// Protobuf wire format: [field, wire, value] triples; value is a BigInt
// (varint), a Buffer (length-delimited) or a Buffer of 4 or 8 bytes (fixed).
function* fields(buf) {
  let i = 0;
  const varint = () => {
    let v = 0n, s = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error("truncated varint");
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << s;
      s += 7n;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >>> 3, wire = key & 7;
    let value;
    if (wire === 0) value = varint();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (i + n > buf.length) throw new Error("truncated fixed field");
      value = buf.subarray(i, i + n);
      i += n;
    } else if (wire === 2) {
      const n = Number(varint());
      if (i + n > buf.length) throw new Error("truncated bytes field");
      value = buf.subarray(i, i + n);
      i += n;
    } else throw new Error(`wire type ${wire}`);
    yield [field, wire, value];
  }
}

function decodeEvent(buf) {
  const e = { step: 0, kind: "other", tag: "-", value: "-" };
  for (const [f, w, v] of fields(buf)) {
    if (f === 1 && w === 1) e.wall_time = v.readDoubleLE(0);
    else if (f === 2 && w === 0) e.step = Number(BigInt.asIntN(64, v));
    else if (f === 3 && w === 2) { e.kind = "version"; e.tag = v.toString("utf8"); }
    else if (f === 7 && w === 2) {
      e.kind = "session";
      e.value = 0;
      for (const [f2, w2, v2] of fields(v)) if (f2 === 1 && w2 === 0) e.value = Number(v2);
    } else if (f === 5 && w === 2) {
      for (const [f2, w2, val] of fields(v)) {
        if (f2 !== 1 || w2 !== 2) continue;
        for (const [f3, w3, v3] of fields(val)) {
          if (f3 === 1 && w3 === 2) e.tag = v3.toString("utf8");
          else if (f3 === 2 && w3 === 5) { e.kind = "scalar"; e.value = v3.readFloatLE(0); }
          else if (f3 === 5 && w3 === 2) e.kind = "histo";
        }
      }
    }
  }
  return e;
}

function readRecords(file) {
  const b = fs.readFileSync(file);
  const out = [];
  let off = 0;
  while (off < b.length) {
    if (b.length - off < 16) throw new Error(`${file}: byte ${off}: truncated record`);
    const len = Number(b.readBigUInt64LE(off));
    if (b.readUInt32LE(off + 8) !== masked(b.subarray(off, off + 8)))
      throw new Error(`${file}: byte ${off}: length CRC mismatch`);
    if (len > b.length - off - 16) throw new Error(`${file}: byte ${off}: record runs past the end`);
    const data = b.subarray(off + 12, off + 12 + len);
    if (b.readUInt32LE(off + 12 + len) !== masked(data))
      throw new Error(`${file}: byte ${off + 12}: data CRC mismatch`);
    out.push(decodeEvent(data));
    off += 16 + len;
  }
  return out;
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: node tests/tb_check.js DIR\n");
    process.exit(2);
  }
  const files = fs.readdirSync(dir).filter((n) => n.includes("tfevents")).sort();
  const shown = []; // scalars in the order the accumulator keeps them
  const lines = [];
  for (const name of files) {
    let events;
    try {
      events = readRecords(path.join(dir, name));
    } catch (err) {
      process.stderr.write(`tb_check: ${err.message}\n`);
      process.exit(1);
    }
    for (const e of events) {
      lines.push(`event ${name} ${e.step} ${e.kind} ${e.tag} ${e.value}`);
      if (e.kind === "session" && e.value === 1) {
        for (let i = shown.length - 1; i >= 0; i--) if (shown[i].step >= e.step) shown.splice(i, 1);
      } else if (e.kind === "scalar") shown.push(e);
    }
  }
  for (const e of shown) lines.push(`shown ${e.tag} ${e.step} ${e.value}`);
  process.stdout.write(lines.join("\n") + (lines.length ? "\n" : ""));
}

main();

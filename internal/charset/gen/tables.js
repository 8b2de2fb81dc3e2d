// Writes ../tables.bin: iconv-lite's decoding tables and labels, as Next.js
// (which bundles iconv-lite 0.4.24 inside next/dist/compiled/raw-body) uses
// them to decode request bodies. Run `go generate ./internal/charset`, which
// runs `npm ci` here and then this script. The format is read by
// ../tables.go; everything is little-endian, the whole file gzipped:
//
//   "ICL1"
//   u16 n, n × (256 × u16)                     single-byte tables
//   u16 n, n × (256 × i32)                     multi-byte trie nodes, shared,
//                                              each entry the difference from the one before
//   u16 n, n × (u16 nodes, nodes × u16 node, u16 seqs, seqs × (u8 len, len × u16))
//                                              multi-byte codecs
//   u16 n, n × u32 gbChars, n × u32 uChars     GB18030's four-byte ranges
//   u16 n, n × (u8 len, label, u8 kind, u16 index)   labels
const zlib = require("zlib");
const fs = require("fs");
const path = require("path");
const iconv = require("iconv-lite");
iconv.getCodec("utf8"); // loads iconv.encodings

const KIND = { sbcs: 1, dbcs: 2, utf8: 3, cesu8: 4, ucs2: 5, utf16be: 6, utf16: 7, binary: 8, base64: 9, hex: 10, utf7: 11, utf7imap: 12 };

const out = [];
const u8 = (v) => out.push(Buffer.from([v]));
const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); out.push(b); };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); out.push(b); };
const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); out.push(b); };

const sbcs = [], dbcs = [], labels = [];
const nodes = [], nodeIndex = new Map();
let gb = null;
const codecIndex = new Map();

for (const label of Object.keys(iconv.encodings).filter((k) => !k.startsWith("_")).sort()) {
  const c = iconv.getCodec(label);
  let kind, index = 0;
  if (c.decodeBuf) {
    kind = KIND.sbcs;
    if (!codecIndex.has(c)) { codecIndex.set(c, sbcs.length); sbcs.push(c); }
    index = codecIndex.get(c);
  } else if (c.decodeTables) {
    kind = KIND.dbcs;
    if (!codecIndex.has(c)) { codecIndex.set(c, dbcs.length); dbcs.push(c); }
    index = codecIndex.get(c);
    if (c.gb18030) gb = c.gb18030;
  } else if (c.enc === "utf8") {
    kind = c.decoder.name === "InternalDecoderCesu8" ? KIND.cesu8 : KIND.utf8;
  } else if (c.enc && KIND[c.enc]) {
    kind = KIND[c.enc];
  } else {
    const name = { Utf16BECodec: "utf16be", Utf16Codec: "utf16", Utf7Codec: "utf7", Utf7IMAPCodec: "utf7imap" }[c.constructor.name];
    if (!name) throw new Error("unknown codec for " + label + ": " + c.constructor.name);
    kind = KIND[name];
  }
  labels.push([label, kind, index]);
}

out.push(Buffer.from("ICL1"));
u16(sbcs.length);
for (const c of sbcs) {
  if (c.decodeBuf.length !== 512) throw new Error("single-byte table of " + c.decodeBuf.length + " bytes");
  out.push(Buffer.from(c.decodeBuf));
}
const codecNodes = dbcs.map((c) => c.decodeTables.map((t) => {
  const key = Buffer.from(Int32Array.from(t).buffer).toString("base64");
  if (!nodeIndex.has(key)) { nodeIndex.set(key, nodes.length); nodes.push(t); }
  return nodeIndex.get(key);
}));
u16(nodes.length);
for (const t of nodes) {
  if (t.length !== 256) throw new Error("node of " + t.length);
  let prev = 0; // deltas: runs of consecutive code points compress to runs of 1s
  for (const v of t) { i32(v - prev); prev = v; }
}
u16(dbcs.length);
dbcs.forEach((c, i) => {
  u16(codecNodes[i].length);
  codecNodes[i].forEach(u16);
  u16(c.decodeTableSeq.length);
  for (const s of c.decodeTableSeq) { u8(s.length); s.forEach(u16); }
});
u16(gb ? gb.gbChars.length : 0);
if (gb) { gb.gbChars.forEach(u32); gb.uChars.forEach(u32); }
u16(labels.length);
for (const [label, kind, index] of labels) {
  u8(label.length); out.push(Buffer.from(label, "latin1")); u8(kind); u16(index);
}

const data = zlib.gzipSync(Buffer.concat(out), { level: 9 });
fs.writeFileSync(path.join(__dirname, "..", "tables.bin"), data);
console.log(`tables.bin: ${sbcs.length} single-byte, ${dbcs.length} multi-byte codecs (${nodes.length} nodes), ${labels.length} labels, ${data.length} bytes`);

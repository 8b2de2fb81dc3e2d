// Records ../testdata/next.json: what Next.js's own body parser (the raw-body
// and iconv-lite bundled in next/dist/compiled/raw-body) makes of bodies in
// each charset iconv-lite knows. charset_test.go checks the package against
// it. Next is too large to be a dependency here; fetch it by hand:
//
//   mkdir -p /tmp/next && cd /tmp/next && npm pack next@16.4.6 && tar xzf next-16.4.6.tgz \
//     && npm pack iconv-lite@0.6.3 && mkdir iconv && tar xzf iconv-lite-0.6.3.tgz -C iconv \
//     && npm install --no-save safer-buffer@2.1.2 && mkdir -p node_modules && ln -sfn "$PWD/package" node_modules/next
//   NODE_PATH=/tmp/next/node_modules node next.js /tmp/next/iconv/package > ../testdata/next.json
//
// Labels come from iconv-lite 0.6.3's table (a superset of the copy Next
// bundles); a label Next's copy refuses is recorded as refused. Each output
// is the decoded string re-encoded as UTF-8 (so lone surrogates read as
// U+FFFD, as they do once written), in hex.
const getRawBody = require("next/dist/compiled/raw-body");
const { Readable } = require("stream");
const iconv = require(process.argv[2] + "/lib/index.js");
iconv.getCodec("utf8"); // loads iconv.encodings

const high = [];
for (let b = 0x80; b <= 0xff; b++) high.push(b);
const inputs = {
  ascii: Buffer.from("Hello, {\"a\":1}\n"),
  high: Buffer.from([0x41, ...high, 0x42]),
  pairs: Buffer.from([0x81, 0x40, 0x82, 0xa0, 0x88, 0x9f, 0xa4, 0xa1, 0xb0, 0xa1, 0xe0, 0x40, 0xf0, 0x40, 0xf9, 0xfc, 0xa1, 0x40, 0xc6, 0xa1, 0xf9, 0xd6, 0x8e, 0xa1]),
  utf16le: Buffer.from("\u0068\u00e9\u65e5\ud83d\ude00", "utf16le"),
  utf16be: Buffer.from("\u0068\u00e9\u65e5\ud83d\ude00", "utf16le").swap16(),
  odd: Buffer.from([0x61, 0x00, 0x62, 0x00, 0x63]),
  bom_le: Buffer.from([0xff, 0xfe, 0x61, 0x00]),
  bom_be: Buffer.from([0xfe, 0xff, 0x00, 0x61]),
  lone: Buffer.from([0x00, 0xd8, 0x61, 0x00]),
  gb4: Buffer.from([0x81, 0x30, 0x81, 0x30, 0x84, 0x31, 0xa4, 0x39, 0x90, 0x30, 0x81, 0x30, 0xe3, 0x32, 0x9a, 0x35, 0x81, 0x30, 0xff, 0x30, 0x81, 0x30, 0x81]),
  sjis_user: Buffer.from([0xf0, 0x40, 0xf9, 0xfc, 0x81, 0x41, 0x81, 0x7f, 0x85, 0x40, 0xa0, 0x80, 0xfd, 0x81]),
  cesu: Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb2, 0xa9, 0xc0, 0x80, 0xc1, 0x81, 0xe0, 0x80, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xe2, 0x82]),
  truncated: Buffer.from([0x41, 0x81]),
};

async function decode(label, bytes) {
  try {
    const s = await getRawBody(Readable.from([bytes]), { encoding: label, limit: 1 << 20 });
    return Buffer.from(s, "utf8").toString("hex");
  } catch (e) {
    return null;
  }
}

(async () => {
  const labels = Object.keys(iconv.encodings).filter((k) => !k.startsWith("_")).sort();
  const out = { inputs: {}, charsets: {} };
  for (const [k, v] of Object.entries(inputs)) out.inputs[k] = v.toString("hex");
  for (const label of labels) {
    const r = {};
    for (const [k, v] of Object.entries(inputs)) r[k] = await decode(label, v);
    out.charsets[label] = Object.values(r).every((x) => x === null) ? null : r;
  }
  process.stdout.write(JSON.stringify(out, null, 1) + "\n");
})();

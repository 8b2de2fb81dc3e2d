// Package charset decodes request bodies to UTF-8 exactly as Next.js does.
// Next reads bodies with raw-body, which decodes with the iconv-lite 0.4.24
// bundled in next/dist/compiled/raw-body. This package carries that
// version's tables and labels (tables.bin, written by gen/tables.js) and
// reimplements its decoders, so that every label Next accepts is accepted
// here and every body decodes to the same text, byte for byte
// (testdata/next.json, recorded from Next's bundle, checks all 405 labels).
//
// Where the WHATWG Encoding Standard (browsers, golang.org/x/text) differs:
//
//   - labels are matched as iconv-lite matches them ([Normalize]), so that
//     "UTF-8", "utf8" and "Utf_8" are one label; numeric and code-page
//     names ("1251", "cp28595", "turkish", "cp950") are labels too;
//   - "latin1" is ISO-8859-1 proper, "ascii" is 7-bit (bytes over 0x7F are
//     U+FFFD), and the ISO-8859 tables map 0x80-0x9F to the C1 controls;
//   - multi-byte decoders replace an invalid sequence with one U+FFFD and
//     resume after its first byte (WHATWG re-reads an ASCII trail byte);
//     Shift_JIS's user-defined area decodes to the Private Use Area;
//   - UTF-16 drops a trailing odd byte and, without a byte order mark,
//     guesses the byte order as iconv-lite does;
//   - "base64" and "hex" are Node's Buffer encodings: the body's text is the
//     base64 or hex spelling of its bytes;
//   - CESU-8 decodes surrogate pairs spelled as two three-byte sequences.
//
// Deliberate difference: UTF-7 ("utf7", "unicode11utf7", "utf7imap") is
// refused as an unknown charset. It lets "+ADw-" spell "<" and has been
// used to smuggle markup past filters; browsers dropped it for that reason.
//
// Lone surrogates cannot be held in Go's UTF-8 strings: where Next's string
// would hold one, the decoded text holds U+FFFD, which is also what Node
// writes when that string is sent as UTF-8.
package charset

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"sort"
	"sync"
	"unicode/utf8"
)

//go:generate sh -c "cd gen && npm ci --silent --no-audit --no-fund && node tables.js"

//go:embed tables.bin
var tablesGz []byte

type kind uint8

const (
	kindSBCS kind = iota + 1
	kindDBCS
	kindUTF8
	kindCESU8
	kindUCS2
	kindUTF16BE
	kindUTF16
	kindBinary
	kindBase64
	kindHex
	kindUTF7
	kindUTF7IMAP
)

// Decoder decodes bodies in one charset.
type Decoder struct {
	kind kind
	sbcs *[256]uint16
	dbcs *dbcsCodec
}

// Lookup returns the decoder for a charset label, matched as iconv-lite
// matches it, and false for a label Next refuses or that this package
// refuses on purpose (UTF-7). UTF-8 and its aliases return a nil decoder:
// the caller only needs to replace invalid sequences.
//
// The label comes from a client's header, so Lookup allocates nothing: it
// normalizes into a fixed buffer, and a label longer than any known one is
// unknown without further work.
func Lookup(label string) (*Decoder, bool) {
	var buf [maxLabel]byte
	l, ok := normalize(buf[:0], label)
	if !ok {
		return nil, false
	}
	switch string(l) {
	case "utf8", "unicode11utf8":
		return nil, true
	}
	d, ok := load().labels[string(l)]
	if !ok || d.kind == kindUTF7 || d.kind == kindUTF7IMAP {
		return nil, false
	}
	return d, true
}

// maxLabel is longer than any normalized label iconv-lite knows (the
// longest have 20 letters); a test checks it against the tables.
const maxLabel = 32

// Normalize is iconv-lite's canonical form of a label: a trailing ":dddd"
// (a year) removed, ASCII letters lower-cased, everything but letters and
// digits dropped. Node reads header bytes as latin1, and no latin1 letter
// lower-cases to an ASCII one, so bytes over 0x7F are simply dropped.
func Normalize(s string) string {
	b, _ := normalize(make([]byte, 0, len(s)), s)
	return string(b)
}

// normalize appends Normalize(s) to dst, or reports false if it does not
// fit in cap(dst).
func normalize(dst []byte, s string) ([]byte, bool) {
	if n := len(s); n >= 5 && s[n-5] == ':' && isDigit(s[n-4]) && isDigit(s[n-3]) && isDigit(s[n-2]) && isDigit(s[n-1]) {
		s = s[:n-5]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', isDigit(c):
		default:
			continue
		}
		if len(dst) == cap(dst) {
			return nil, false
		}
		dst = append(dst, c)
	}
	return dst, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Decode returns src decoded to valid UTF-8. A nil Decoder is UTF-8: src is
// returned as it is, and the caller replaces what is invalid.
func (d *Decoder) Decode(src []byte) []byte {
	if d == nil {
		return src
	}
	switch d.kind {
	case kindSBCS:
		out := make([]byte, 0, len(src)+len(src)/2)
		for _, c := range src {
			out = utf8.AppendRune(out, rune(d.sbcs[c]))
		}
		return out
	case kindDBCS:
		return d.dbcs.decode(src)
	case kindBinary:
		out := make([]byte, 0, len(src)+len(src)/2)
		for _, c := range src {
			out = utf8.AppendRune(out, rune(c))
		}
		return out
	case kindBase64:
		return base64.StdEncoding.AppendEncode(nil, src)
	case kindHex:
		return hex.AppendEncode(nil, src)
	case kindUCS2:
		return decodeUTF16(src, binary.LittleEndian)
	case kindUTF16BE:
		return decodeUTF16(src, binary.BigEndian)
	case kindUTF16:
		if bigEndian(src) {
			return decodeUTF16(src, binary.BigEndian)
		}
		return decodeUTF16(src, binary.LittleEndian)
	case kindCESU8:
		return decodeCESU8(src)
	}
	return src // kindUTF8: Lookup returns nil for it
}

// bigEndian is iconv-lite's choice for "utf-16": the byte order mark, else
// whichever order makes more of the first 64 bytes ASCII; little-endian on
// a tie. (iconv-lite looks at the first chunk that arrives, which for a
// body of 16 bytes or more sent at once is the same bytes.)
func bigEndian(b []byte) bool {
	if len(b) >= 2 {
		switch {
		case b[0] == 0xFE && b[1] == 0xFF:
			return true
		case b[0] == 0xFF && b[1] == 0xFE:
			return false
		}
	}
	n := min(len(b)-len(b)%2, 64)
	le, be := 0, 0
	for i := 0; i < n; i += 2 {
		if b[i] == 0 && b[i+1] != 0 {
			be++
		}
		if b[i] != 0 && b[i+1] == 0 {
			le++
		}
	}
	return be > le
}

func decodeUTF16(src []byte, order binary.ByteOrder) []byte {
	w := units{out: make([]byte, 0, len(src)+len(src)/2)}
	for i := 0; i+1 < len(src); i += 2 { // a trailing odd byte is dropped
		u := order.Uint16(src[i:])
		if w.hi == 0 && (u < 0xD800 || u > 0xDFFF) { // the common case, without a call
			w.out = utf8.AppendRune(w.out, rune(u))
			continue
		}
		w.unit(u)
	}
	return w.done()
}

const replacement = 0xFFFD

// decodeCESU8 is iconv-lite's CESU-8 decoder.
func decodeCESU8(src []byte) []byte {
	w := units{out: make([]byte, 0, len(src))}
	var acc uint32
	cont, accBytes := 0, 0
	for _, c := range src {
		if c&0xC0 != 0x80 { // a leading byte
			if cont > 0 {
				w.unit(replacement)
				cont = 0
			}
			switch {
			case c < 0x80:
				w.unit(uint16(c))
			case c < 0xE0:
				acc, cont, accBytes = uint32(c&0x1F), 1, 1
			case c < 0xF0:
				acc, cont, accBytes = uint32(c&0x0F), 2, 1
			default: // four-byte forms do not exist in CESU-8
				w.unit(replacement)
			}
			continue
		}
		if cont == 0 { // an unexpected continuation byte
			w.unit(replacement)
			continue
		}
		acc = acc<<6 | uint32(c&0x3F)
		cont--
		accBytes++
		if cont == 0 {
			// Overlong forms are refused, but C0 80 (Modified UTF-8's NUL) is not.
			if accBytes == 2 && acc < 0x80 && acc > 0 || accBytes == 3 && acc < 0x800 {
				w.unit(replacement)
			} else {
				w.unit(uint16(acc))
			}
		}
	}
	if cont > 0 {
		w.out = append(w.out, '0') // iconv-lite's end(): 0 + "\uFFFD"
		w.unit(replacement)
	}
	return w.done()
}

// units turns UTF-16 code units into UTF-8, pairing surrogates; a lone one
// becomes U+FFFD, as Node writes it.
type units struct {
	out []byte
	hi  uint16 // a high surrogate waiting for its pair, or 0
}

func (w *units) unit(u uint16) {
	if w.hi != 0 {
		if 0xDC00 <= u && u <= 0xDFFF {
			w.out = utf8.AppendRune(w.out, 0x10000+(rune(w.hi)-0xD800)<<10+rune(u)-0xDC00)
			w.hi = 0
			return
		}
		w.out = utf8.AppendRune(w.out, replacement)
		w.hi = 0
	}
	switch {
	case 0xD800 <= u && u <= 0xDBFF:
		w.hi = u
	case 0xDC00 <= u && u <= 0xDFFF:
		w.out = utf8.AppendRune(w.out, replacement)
	default:
		w.out = utf8.AppendRune(w.out, rune(u))
	}
}

// code writes a code point, which iconv-lite's tables may hold above U+FFFF.
func (w *units) code(c rune) {
	if c > 0xFFFF {
		c -= 0x10000
		w.unit(uint16(0xD800 + c>>10))
		w.unit(uint16(0xDC00 + c&0x3FF))
		return
	}
	w.unit(uint16(c))
}

func (w *units) done() []byte {
	if w.hi != 0 {
		w.out = utf8.AppendRune(w.out, replacement)
		w.hi = 0
	}
	return w.out
}

// Values in multi-byte trie nodes, as iconv-lite stores them.
const (
	unassigned  = -1
	gb18030Code = -2
	seqStart    = -10
	nodeStart   = -1000
)

type dbcsCodec struct {
	nodes [][256]int32 // shared with other codecs
	seqs  [][]uint16
	gb    *gbRanges
}

type gbRanges struct{ gbChars, uChars []uint32 }

// decode walks the codec's trie. An unassigned entry ends the sequence with
// U+FFFD and decoding resumes one byte after the sequence's start; a
// sequence cut off by the end of the body does the same.
func (c *dbcsCodec) decode(src []byte) []byte {
	w := units{out: make([]byte, 0, len(src)+len(src)/2)}
	node := 0
	start := 0 // where the sequence being read began
	for i := 0; i < len(src); i++ {
		v := c.nodes[node][src[i]]
		switch {
		case v >= 0 && w.hi == 0 && (v < 0xD800 || 0xDFFF < v && v <= 0xFFFF): // the common case, without a call
			w.out = utf8.AppendRune(w.out, rune(v))
		case v >= 0:
			w.code(rune(v))
		case v == unassigned:
			w.unit(replacement)
			i = start // the loop's i++ moves one byte past the start
		case v == gb18030Code:
			s := src[start : i+1]
			ptr := uint32(s[0]-0x81)*12600 + uint32(s[1]-0x30)*1260 + uint32(s[2]-0x81)*10 + uint32(s[3]-0x30)
			w.code(rune(c.gb.lookup(ptr)))
		case v <= nodeStart:
			node = int(nodeStart - v)
			continue
		case v <= seqStart:
			for _, u := range c.seqs[seqStart-v] {
				w.unit(u)
			}
		}
		node, start = 0, i+1
	}
	if start < len(src) { // an unfinished sequence: skip its first byte, read on
		w.unit(replacement)
		rest := c.decode(src[start+1:])
		w.out = append(w.done(), rest...)
		return w.out
	}
	return w.done()
}

// lookup maps a four-byte GB18030 pointer through the ranges table, as
// iconv-lite does (the last range that starts at or before it).
func (g *gbRanges) lookup(ptr uint32) uint32 {
	i := sort.Search(len(g.gbChars), func(i int) bool { return g.gbChars[i] > ptr }) - 1
	if i < 0 {
		return replacement
	}
	return g.uChars[i] + ptr - g.gbChars[i]
}

type tables struct {
	labels map[string]*Decoder
}

// load reads tables.bin once, on the first body that names a charset other
// than UTF-8; the tables are immutable afterwards. The file is part of the
// build, so a corrupt one is a defect, and load panics on it.
var load = sync.OnceValue(func() *tables {
	zr, err := gzip.NewReader(bytes.NewReader(tablesGz))
	if err != nil {
		panic("charset: tables.bin: " + err.Error())
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic("charset: tables.bin: " + err.Error())
	}
	r := reader(raw)
	if string(r.next(4)) != "ICL1" {
		panic("charset: tables.bin has a bad magic number")
	}
	sbcs := make([]*[256]uint16, r.u16())
	for i := range sbcs {
		var t [256]uint16
		for j := range t {
			t[j] = r.u16()
		}
		sbcs[i] = &t
	}
	nodes := make([][256]int32, r.u16())
	for i := range nodes {
		var prev int32
		for j := range nodes[i] {
			prev += int32(r.u32())
			nodes[i][j] = prev
		}
	}
	dbcs := make([]*dbcsCodec, r.u16())
	for i := range dbcs {
		c := &dbcsCodec{nodes: make([][256]int32, r.u16())}
		for j := range c.nodes {
			c.nodes[j] = nodes[r.u16()]
		}
		c.seqs = make([][]uint16, r.u16())
		for j := range c.seqs {
			s := make([]uint16, r.u8())
			for k := range s {
				s[k] = r.u16()
			}
			c.seqs[j] = s
		}
		dbcs[i] = c
	}
	gb := &gbRanges{gbChars: make([]uint32, r.u16())}
	gb.uChars = make([]uint32, len(gb.gbChars))
	for i := range gb.gbChars {
		gb.gbChars[i] = r.u32()
	}
	for i := range gb.uChars {
		gb.uChars[i] = r.u32()
	}
	t := &tables{labels: map[string]*Decoder{}}
	for n := r.u16(); n > 0; n-- {
		label := string(r.next(int(r.u8())))
		d := &Decoder{kind: kind(r.u8())}
		switch idx := r.u16(); d.kind {
		case kindSBCS:
			d.sbcs = sbcs[idx]
		case kindDBCS:
			d.dbcs = dbcs[idx]
			d.dbcs.gb = gb
		}
		t.labels[label] = d
	}
	return t
})

// reader reads tables.bin; reading past its end panics.
type reader []byte

func (r *reader) next(n int) []byte {
	p := (*r)[:n]
	*r = (*r)[n:]
	return p
}

func (r *reader) u8() uint8   { return r.next(1)[0] }
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.next(2)) }
func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.next(4)) }

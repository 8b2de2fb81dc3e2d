package respond

import (
	"strconv"
	"unicode/utf8"

	"github.com/apiroutes/apiroutes/internal/whatwg"
)

// Next's fnv1a52 (src/server/lib/etag.ts) keeps a 64-bit FNV-1a state in four
// 16-bit lanes so that JavaScript numbers stay exact: the lanes start at the
// 64-bit offset basis 0xcbf29ce484222325, and "multiply each lane by 435, add
// the lanes below shifted by 8, carry" is the product by the 64-bit prime
// 2^40 + 435 modulo 2^64. The loop is therefore exactly
//
//	h ^= unit; h *= 0x100000001b3
//
// over UTF-16 code units, and the result folds the top 16-bit lane into the
// bottom one: (v3&15)<<48 | v2<<32 | v1<<16 | (v0 ^ v3>>4). The lane code is
// kept verbatim in the tests as the reference.
const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

// digest is the state of an ETag computation: the FNV-1a state and the
// number of UTF-16 code units fed so far (JavaScript's string length).
type digest struct {
	h     uint64
	units int
}

func newDigest() digest { return digest{h: fnvOffset} }

// ETag returns the ETag Next.js sends for a response body: a strong,
// quoted tag made of the 52-bit FNV-1a hash of the body's UTF-16 code units
// and its UTF-16 length, both in base 36. body is read as UTF-8; invalid
// sequences count as U+FFFD, as Node's Buffer.toString does.
//
// ETag([]byte("hello")) is "2caikvdqo85" (quotes included).
func ETag(body []byte) string {
	return string(feed(newDigest(), body).appendTag(make([]byte, 0, maxTagLen)))
}

// maxTagLen bounds a tag: two quotes, at most 11 base-36 digits for a
// 52-bit hash and 13 for a length.
const maxTagLen = 2 + 11 + 13

// appendTag appends the quoted tag: `"` + base36(hash) + base36(length) + `"`.
func (d digest) appendTag(b []byte) []byte {
	h := d.h
	v := h&0x000fffffffff0000 | (h&0xffff ^ h>>52)
	b = append(b, '"')
	b = strconv.AppendUint(b, v, 36)
	b = strconv.AppendInt(b, int64(d.units), 36)
	return append(b, '"')
}

// feed returns d after hashing s as UTF-16 code units, decoding UTF-8 as
// the WHATWG decoder (Node's Buffer to string) does: a code point above
// U+FFFF is two units (a surrogate pair), and each maximal invalid
// subsequence is one U+FFFD.
func feed[T string | []byte](d digest, s T) digest {
	h, units := d.h, d.units
	i := 0
	for i < len(s) {
		// ASCII runs are the common case: one byte, one unit.
		start := i
		for i < len(s) && s[i] < utf8.RuneSelf {
			h = (h ^ uint64(s[i])) * fnvPrime
			i++
		}
		units += i - start
		if i == len(s) {
			break
		}
		r, size, _ := whatwg.DecodeRune(s, i)
		i += size
		if r < 0x10000 {
			h = (h ^ uint64(r)) * fnvPrime
			units++
			continue
		}
		r -= 0x10000
		h = (h ^ uint64(0xd800+r>>10)) * fnvPrime
		h = (h ^ uint64(0xdc00+r&0x3ff)) * fnvPrime
		units += 2
	}
	return digest{h, units}
}

// bufferDigest returns the digest of JSON.stringify(Buffer.from(b)), which
// is what Next hashes for a Buffer body: {"type":"Buffer","data":[97,98,99]}.
// The text is never built.
func bufferDigest(b []byte) digest {
	d := feed(newDigest(), `{"type":"Buffer","data":[`)
	h, units := d.h, d.units
	for i, c := range b {
		if i > 0 {
			h = (h ^ ',') * fnvPrime
			units++
		}
		// One to three decimal digits (byte values print as 0-255).
		switch {
		case c >= 100:
			h = (h ^ uint64('0'+c/100)) * fnvPrime
			h = (h ^ uint64('0'+c/10%10)) * fnvPrime
			units += 2
		case c >= 10:
			h = (h ^ uint64('0'+c/10)) * fnvPrime
			units++
		}
		h = (h ^ uint64('0'+c%10)) * fnvPrime
		units++
	}
	return feed(digest{h, units}, "]}")
}

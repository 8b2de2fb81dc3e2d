// gen.mjs writes the test vectors that pin our ETags, cookie parsing and
// Content-Type parsing to the npm code Next.js runs, computed by that code:
//
//	respond/etag_vectors_test.go           next's dist/server/lib/etag.js (generateETag)
//	cookies/vectors_test.go                cookie@0.4 parse, as Next's req.cookies calls it
//	bodyparser/contenttype_vectors_test.go content-type parse, as Next's body parser calls it
//
// The versions are pinned in package.json (and package-lock.json). Next
// bundles its own copies of cookie and content-type (next/dist/compiled/*,
// without version numbers); every vector is computed with both the bundled
// and the standalone package, and this script fails if they disagree.
//
// Run it with ./check (which also fails if the committed files differ), or
// `npm ci && node gen.mjs` here. The inputs are listed below: add a case
// here, not in the generated files.
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { goString } from './golit.mjs'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')

const version = (pkg) => JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version
const nextVersion = version('next')
const { generateETag } = require('next/dist/server/lib/etag')
const cookie = require('cookie')
const nextCookie = require('next/dist/compiled/cookie')
const contentType = require('content-type')
const nextContentType = require('next/dist/compiled/content-type')

// ---- inputs -------------------------------------------------------------

const bytes = (...b) => Buffer.from(b)
const utf8 = (s) => Buffer.from(s, 'utf8')

// ETag payloads, as bytes. Node's res.send(string) hashes the string; a Go
// body of invalid UTF-8 is hashed as the string Buffer.toString() decodes.
const etagInputs = [
	utf8(''), utf8('hello'), utf8('x'), utf8('{"a":1}'), utf8('42'), utf8('true'), utf8('null'),
	utf8('"hi"'), utf8('héllo 😀'), utf8('é'), utf8('😀'),
	utf8('{"type":"Buffer","data":[97,98,99]}'), // JSON.stringify(Buffer.from("abc")): res.send(buffer) hashes this
	utf8('{"message":"Hello from Next.js!"}'), utf8('a'.repeat(100)),
	utf8('{"type":"Buffer","data":[]}'), utf8('{"type":"Buffer","data":[0,255,10]}'),
	utf8('{"html":"<a href=\\"x\\">&</a>"}'), utf8('a\u0000b'), utf8('\uffff'), utf8('\u{10ffff}'),
	// Invalid UTF-8: one U+FFFD per maximal invalid subsequence.
	bytes(0xe2, 0x82, 0x41), bytes(0xff), bytes(0xf0, 0x9f, 0x98), bytes(0xed, 0xa0, 0x80),
	bytes(0xf4, 0x90, 0x80, 0x80), bytes(0xc0, 0xaf),
]

// Cookie headers: name, then the Cookie header lines of one request. Next
// joins several lines with "; " (get-cookie-parser.ts), as Node does.
const cookieInputs = [
	['no header', []],
	['one', ['a=1']],
	['first duplicate wins', ['a=1; a=2']],
	['spec example', ['foo; =bar; baz=qux; ;; k=v=w']],
	['percent-decoded', ['c=x%3By']],
	['bad escape kept raw', ['c=%zz; d=100%; e=%E2%82; f=%C3%A9']],
	['encoded surrogate kept raw', ['s=%ED%A0%80']],
	['plus stays plus', ['p=a+b']],
	['quotes stripped', ['q="quoted"; u="unterminated; v="']],
	['quotes then decoding', ['q="a%20b"']],
	['names and values trimmed', ['  a  =  1  ;b=\t2\t']],
	['only spaces after the semicolon are skipped by the split', ['a=1;\tb=2']],
	['pair without equals skipped', ['e ; f=1']],
	['several headers joined, first wins', ['a=1', 'a=3; b=2']],
	['prototype names are ordinary names', ['__proto__=1; constructor=2; toString=3']],
	['empty value', ['a=; b=2']],
	['empty header', ['']],
	['utf-8 kept', ['n=日本']],
	['a lone quote', ['q="']],
	['a UTF-8 non-breaking space is two latin1 characters: trim() drops only the second', ['\u00a0a\u00a0=\u00a01\u00a0']],
	['a space before the semicolon is trimmed off', ['a=1 ;b=2']],
]

// Content-Type headers, as bytes: Node gives header values to JavaScript as
// latin1 strings, so bytes 0x80-0xff are the characters U+0080-U+00FF.
const latin1 = (s) => Buffer.from(s, 'latin1')
const contentTypeInputs = [
	'application/json', ' application/json ', 'application/json; charset=utf-8', 'application/json;charset=UTF-8',
	'text/plain; charset="latin1"', 'text/plain; charset="a\\"b"', 'text/plain; charset = utf-8 ',
	'text/plain; a=1; charset=x; b=2', 'application/json; charset', 'application/json;', 'application/json;;charset=x',
	'application/json; charset=a b', 'application/json; charset="x', 'json', '/json', 'application/', 'appli cation/json',
	'application/json\t; charset=x', 'a/b; x=1\t; charset=y', '\tapplication/json',
	'Application/JSON', 'application/json; CHARSET=utf-8', 'text/plain; charset=a; charset=b',
	'\u00a0application/json\u00a0', 'application/json\u000b', 'text/plain; charset="\u00e9"', 'text/plain; charset="a\\\u00e9"',
	'text/plain; charset=""', 'application/ld+json; charset=utf-16le', 'a/b;charset=x ',
].map(latin1)

// ---- computing ----------------------------------------------------------

function agree(what, input, a, b) {
	if (JSON.stringify(a) !== JSON.stringify(b)) {
		throw new Error(`${what}: the standalone package and Next's bundled copy disagree on ${JSON.stringify(input)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
	}
	return a
}

// A plain object of the own string properties, sorted, so that the output
// does not depend on insertion order.
const sorted = (obj) => Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]))

const etags = etagInputs.map((b) => ({ payload: b, etag: generateETag(b.toString('utf8')) }))

// Node reads the header's bytes as latin1, so a raw non-ASCII byte is one
// character U+0080-U+00FF, and writing the parsed text back as latin1 gives
// the bytes our Go parser keeps. A percent-decoded value is real Unicode,
// which Go holds as UTF-8; a line that mixes the two would have no single
// byte form, so inputs with raw non-ASCII bytes must not use escapes.
const cookies = cookieInputs.map(([name, headers]) => {
	const raw = utf8(headers.join('; '))
	const nonASCII = raw.some((c) => c >= 0x80)
	if (nonASCII && raw.includes('%')) throw new Error(`cookie vector ${name}: raw non-ASCII bytes and percent escapes in one line`)
	const joined = raw.toString('latin1')
	const got = agree('cookie', joined, sorted(cookie.parse(joined)), sorted(nextCookie.parse(joined)))
	const back = (s) => Buffer.from(s, nonASCII ? 'latin1' : 'utf8')
	return { name, headers, want: Object.entries(got).map(([k, v]) => [back(k), back(v)]) }
})

function parseType(parse, b) {
	try {
		const ct = parse(b.toString('latin1'))
		return { typ: ct.type, charset: ct.parameters.charset ?? '', ok: true }
	} catch {
		return { typ: '', charset: '', ok: false }
	}
}
const types = contentTypeInputs.map((b) => ({ in: b, ...agree('content-type', b.toString('latin1'), parseType(contentType.parse, b), parseType(nextContentType.parse, b)) }))

// ---- Go output ----------------------------------------------------------

const goText = (s) => goString(utf8(s))
const goMap = (entries) => 'map[string]string{' + entries.map(([k, v]) => `${goString(k)}: ${goString(v)}`).join(', ') + '}'
const goStrings = (a) => a.length === 0 ? 'nil' : '[]string{' + a.map(goText).join(', ') + '}'

function write(rel, source, body) {
	const text = `// Code generated by scripts/vectors/gen.mjs from ${source}; DO NOT EDIT.\n\n` + body
	writeFileSync(join(root, rel), text)
	console.log(`wrote ${rel}`)
}

write('respond/etag_vectors_test.go', `next@${nextVersion} (dist/server/lib/etag.js)`, `package respond

// etagVectors are the ETags Next's generateETag gives for each payload,
// decoded from UTF-8 as Buffer.toString() does.
var etagVectors = []struct{ payload, etag string }{
${etags.map((v) => `\t{${goString(v.payload)}, ${goText(v.etag)}},`).join('\n')}
}
`)

write('cookies/vectors_test.go', `cookie@${version('cookie')} and next@${nextVersion} (dist/compiled/cookie)`, `package cookies_test

// cookieVectors are what cookie.parse gives for the Cookie header lines
// joined with "; ", as Next's req.cookies does, with the header's bytes read
// as latin1 as Node reads them: a raw non-ASCII byte is one character, which
// JavaScript's trim() removes if it is U+00A0.
var cookieVectors = []struct {
	name    string
	headers []string
	want    map[string]string
}{
${cookies.map((v) => `\t{${goText(v.name)}, ${goStrings(v.headers)}, ${goMap(v.want)}},`).join('\n')}
}
`)

write('bodyparser/contenttype_vectors_test.go', `content-type@${version('content-type')} and next@${nextVersion} (dist/compiled/content-type)`, `package bodyparser

// contentTypeVectors are what contentType.parse gives for each header, read
// as latin1 as Node reads header bytes: the type (lower-cased by
// content-type), the charset parameter, and whether it parsed at all.
var contentTypeVectors = []struct {
	in, typ, charset string
	ok               bool
}{
${types.map((v) => `\t{${goString(v.in)}, ${goString(Buffer.from(v.typ, 'latin1'))}, ${goString(Buffer.from(v.charset, 'latin1'))}, ${v.ok}},`).join('\n')}
}
`)

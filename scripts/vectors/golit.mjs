// golit.mjs writes Go literals for the vector generators (gen.mjs,
// webhooks.mjs).

// goString quotes the bytes b as a Go string literal: printable UTF-8 as
// itself, everything else escaped, so that invalid UTF-8 survives.
export function goString(b) {
	let out = '"'
	let i = 0
	while (i < b.length) {
		const c = b[i]
		if (c === 0x22 || c === 0x5c) { out += '\\' + String.fromCharCode(c); i++; continue }
		if (c >= 0x20 && c < 0x7f) { out += String.fromCharCode(c); i++; continue }
		if (c === 0x09) { out += '\\t'; i++; continue }
		if (c === 0x0a) { out += '\\n'; i++; continue }
		// A valid, printable UTF-8 sequence is copied; anything else is \xNN.
		const n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0
		if (n > 0 && i + n <= b.length) {
			const seq = b.subarray(i, i + n)
			let text = null
			try { text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(seq) } catch { }
			if (text !== null && /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(text)) { out += text; i += n; continue }
			if (text !== null) {
				const cp = text.codePointAt(0)
				out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0')
				i += n
				continue
			}
		}
		out += '\\x' + c.toString(16).padStart(2, '0')
		i++
	}
	return out + '"'
}

package bodyparser

import (
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// maxCharsetLabel is well over the longest label iconv-lite or WHATWG knows.
const maxCharsetLabel = 64

// lookupCharset returns the decoder for a charset parameter, nil for UTF-8,
// and ok = false for a charset nobody knows. Names are matched as iconv-lite
// (which Next.js uses) matches them, ignoring case and every character that
// is not a letter or digit ("UTF-8", "utf8" and "Utf_8" are the same), over
// the WHATWG encoding labels. latin1 and its aliases are ISO-8859-1 proper,
// as in iconv-lite, not the windows-1252 that WHATWG maps them to.
func lookupCharset(label string) (enc encoding.Encoding, ok bool) {
	if len(label) > maxCharsetLabel {
		return nil, false // and no copy of a header-sized label
	}
	norm := normalizeCharset(label)
	switch norm {
	case "utf8", "unicode11utf8":
		return nil, true
	case "latin1", "iso88591", "iso885911987", "l1", "binary", "cp819", "ibm819", "isoir100", "csisolatin1":
		return charmap.ISO8859_1, true
	case "utf16", "utf16le", "ucs2", "ucs2le":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), true
	case "utf16be", "ucs2be":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), true
	}
	if e, err := htmlindex.Get(strings.ToLower(strings.TrimSpace(label))); err == nil {
		return utf8IsNil(e), true
	}
	if alias, found := charsetAliases[norm]; found {
		if e, err := htmlindex.Get(alias); err == nil {
			return utf8IsNil(e), true
		}
	}
	return nil, false
}

func utf8IsNil(e encoding.Encoding) encoding.Encoding {
	if e == unicode.UTF8 {
		return nil
	}
	return e
}

// charsetAliases maps normalized names whose punctuation WHATWG labels need.
var charsetAliases = func() map[string]string {
	m := map[string]string{
		"shiftjis": "shift_jis", "sjis": "shift_jis", "eucjp": "euc-jp", "euckr": "euc-kr",
		"iso2022jp": "iso-2022-jp", "koi8r": "koi8-r", "koi8u": "koi8-u", "gb2312": "gb2312",
		"gb18030": "gb18030", "big5": "big5", "gbk": "gbk", "macintosh": "macintosh", "mac": "macintosh",
		"ibm866": "ibm866", "cp866": "ibm866", "tis620": "tis-620", "xusrdefined": "x-user-defined",
	}
	for _, n := range []string{"2", "3", "4", "5", "6", "7", "8", "10", "13", "14", "15", "16"} {
		m["iso8859"+n] = "iso-8859-" + n
	}
	for n := 1250; n <= 1258; n++ {
		s := strconv.Itoa(n)
		m["windows"+s] = "windows-" + s
		m["win"+s] = "windows-" + s
		m["cp"+s] = "windows-" + s
	}
	return m
}()

func normalizeCharset(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Package size parses and formats byte sizes in the grammar of the npm
// "bytes" package, which Next.js uses for API route limits such as
// bodyParser.sizeLimit and responseLimit ("1mb", "4mb", "500kb").
//
// # Grammar
//
// A size is a non-negative decimal number, then any number of ASCII spaces,
// then an optional unit:
//
//	size   = ["+"] digits ["." digits] {" "} [unit]
//	digits = "0" … "9" {"0" … "9"}
//	unit   = "b" | "kb" | "mb" | "gb" | "tb" | "pb"   (any letter case)
//
// A number without a unit counts bytes. Examples: "1mb", "1.5KB", "100",
// "100b", "1 kb", "+2kb".
//
// # Binary units
//
// Every unit is binary, as in bytes.js: 1kb = 1024 bytes, 1mb = 1024² =
// 1048576 bytes, and so on up to 1pb = 1024⁵ bytes. "1mb" is never
// 1,000,000. This is why the package does not use go-humanize's ParseBytes,
// which reads "1mb" as 1,000,000 bytes (SI) and only "1mib" as 1048576:
// a limit copied from a Next.js config would silently shrink by almost 5%.
//
// IEC spellings ("10MiB", "1kib") are rejected too, although they are
// unambiguous: Next.js reads "10MiB" as 10 bytes, so accepting it here
// would give the same text two meanings. Every size Parse accepts means the
// same number of bytes in a Next.js config (up to the rounding below), and
// the error for "1mib" says that units are already binary. go-humanize
// serves only to print sizes for people (the attack-test reports), never
// to read a limit.
//
// The value of a size is the number times the unit, rounded down to a whole
// byte: "1.5kb" is 1536 bytes, "0.3kb" is 307 and "10.7" is 10. Parse
// computes this exactly with integers, where bytes.js multiplies
// floating-point numbers. The two agree except for numbers with more
// significant digits than a float64 holds (about 15) and for sizes of many
// terabytes, where bytes.js can be a byte or more off.
//
// # Strictness
//
// bytes.js falls back to parseInt for anything its pattern does not match,
// so Next.js quietly reads "1mib", "1m", "1,5mb", "1e3", " 1mb" and "1mb "
// all as 1 byte, and accepts negative sizes. [Parse] rejects all of these
// with an [*Error] that names the text and says what to write instead, so a
// mistyped limit stops the program at start-up rather than rejecting every
// request. It also rejects sizes above [math.MaxInt64] bytes and the empty
// string; callers treat "" as "use the default" before calling Parse.
//
// # Formatting
//
// [Format] prints a byte count in the same grammar, in lower case, so that
// Parse(Format(n)) gives n back; [FormatUpper] prints it as bytes.js's
// format() does, the way Next.js shows limits in its warnings ("4MB",
// "4.77MB"). A [Size] carries both the count and the text to show in
// messages.
package size

// Prints one response as a block of text that can be diffed: the status,
// the headers that matter, the body (or its size and hash when long or
// binary), and the log lines the request produced. Used by compare.sh.
//
// Content-Length and Transfer-Encoding are left out unless SHOW_FRAMING=1:
// next start's compression middleware sends most bodies chunked that Node
// itself would send with a Content-Length (see nextjs-source-notes.md), so
// the framing differs for reasons that are not Next's API routes.
//
//   node fmt.mjs NAME METHOD PATH CURL_EXIT HEADERS_FILE BODY_FILE LOG_FILE
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const [name, method, path, curlExit, headFile, bodyFile, logFile] = process.argv.slice(2)
const read = (f) => { try { return readFileSync(f) } catch { return Buffer.alloc(0) } }
const out = [`### ${name}: ${method} ${path}`]

if (curlExit !== '0') out.push(curlExit === '28' ? 'curl: timed out (no response)' : `curl: exit ${curlExit}`)

// The last header block: curl also records "100 Continue" blocks.
const blocks = read(headFile).toString('latin1').split(/\r?\n\r?\n/).filter((b) => b.trim() !== '')
const block = blocks.at(-1) ?? ''
const [statusLine = '', ...lines] = block.split(/\r?\n/)
out.push(`status: ${statusLine.split(' ')[1] ?? '(none)'}`)
const shown = ['content-type', 'content-length', 'transfer-encoding', 'etag', 'location', 'allow', 'refresh']
  .filter((k) => process.env.SHOW_FRAMING === '1' || (k !== 'content-length' && k !== 'transfer-encoding'))
const headers = {}
for (const l of lines) {
  const i = l.indexOf(':')
  if (i < 0) continue
  const k = l.slice(0, i).trim().toLowerCase()
  if (shown.includes(k)) (headers[k] ??= []).push(Buffer.from(l.slice(i + 1).trim(), 'latin1').toString('utf8'))
}
for (const k of shown) if (headers[k]) out.push(`${k}: ${headers[k].join(' | ')}`)

// curl --head writes the headers where the body would go.
const body = method === 'HEAD' ? Buffer.alloc(0) : read(bodyFile)
const text = body.toString('utf8')
const printable = Buffer.from(text, 'utf8').equals(body) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)
if (body.length <= 400 && printable) out.push(`body: ${JSON.stringify(text)}`)
else out.push(`body: ${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex').slice(0, 16)}, starts ${JSON.stringify(body.subarray(0, 16).toString('latin1'))}`)

// Warnings are compared verbatim; anything else (an error and its stack,
// whose format is the runtime's) only as "an error was logged".
const log = read(logFile).toString('utf8').split('\n').filter((l) => l.trim() !== '')
for (const l of log.filter((l) => l.startsWith('API '))) out.push(`log: ${l}`)
if (log.some((l) => !l.startsWith('API '))) out.push('log: (an error was logged)')

console.log(out.join('\n') + '\n')

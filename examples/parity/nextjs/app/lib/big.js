// N bytes of "a": one res.send, or with mode=write text/plain in 64 KiB writes.
export default function big(req, res) {
  const s = 'a'.repeat(Number(req.query.n))
  if (req.query.mode === 'write') {
    res.setHeader('Content-Type', 'text/plain')
    for (let i = 0; i < s.length; i += 65536) res.write(s.slice(i, i + 65536))
    res.end()
    return
  }
  res.send(s)
}

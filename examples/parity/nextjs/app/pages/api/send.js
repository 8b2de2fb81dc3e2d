import { Readable } from 'stream'

export default function handler(req, res) {
  const kind = req.query.kind
  switch (kind) {
    case 'string': return res.send('hello')
    case 'object': return res.send({ a: 1 })
    case 'array': return res.send([1, 'two', null])
    case 'buffer': return res.send(Buffer.from('bin'))
    case 'null': return res.send(null)
    case 'undefined': return res.send(undefined)
    case 'number': return res.send(42)
    case 'boolean': return res.send(true)
    case 'json-undefined': return res.json(undefined)
    case 'json-null': return res.json(null)
    case 'json-string': return res.json('str')
    case 'empty': return res.send('')
    case 'html':
      res.setHeader('Content-Type', 'text/html; charset=utf-8')
      return res.send('<p>hi</p>')
    case 'buffer-ct':
      res.setHeader('Content-Type', 'image/png')
      return res.send(Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    case 'stream': return res.send(Readable.from(['chunk1-', 'chunk2']))
    case 'status-204': return res.status(204).send('ignored body')
    case 'status-304': return res.status(304).json({ ignored: true })
    case 'unicode': return res.send('héllo 日本')
    default: return res.status(400).json({ error: 'unknown kind', kind: kind ?? null })
  }
}

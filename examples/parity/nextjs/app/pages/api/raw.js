import { createHash } from 'crypto'

export const config = { api: { bodyParser: false } }

export default async function handler(req, res) {
  const h = createHash('sha256')
  let length = 0
  for await (const chunk of req) {
    h.update(chunk)
    length += chunk.length
  }
  res.status(200).json({ length, sha256: h.digest('hex'), bodyIsUndefined: req.body === undefined })
}

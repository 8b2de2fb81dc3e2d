// The Next.js side of the comparison: the same work as e2e's json-apiroutes
// server. Next's default body parser reads and parses the 1 KiB JSON body
// (up to its 1mb limit) into req.body; res.json stringifies it back, with
// Content-Type, Content-Length and an ETag, as respond.JSON does.
export default function handler(req, res) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST')
    res.status(405).json({ error: 'Method Not Allowed' })
    return
  }
  res.status(200).json(req.body)
}

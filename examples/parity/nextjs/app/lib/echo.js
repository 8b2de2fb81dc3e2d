// typeof, with "null" for null and "array" for a list.
export function typeOf(v) {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

// The echo of parity-routes.md. JSON.stringify leaves out `body` when
// req.body is undefined (bodyParser: false).
export default function echo(req, res) {
  res.status(200).json({
    method: req.method,
    query: req.query,
    body: req.body,
    bodyType: typeOf(req.body),
    cookies: req.cookies,
    contentType: req.headers['content-type'] || null,
  })
}

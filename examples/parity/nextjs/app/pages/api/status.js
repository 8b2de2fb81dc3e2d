export default function handler(req, res) {
  res.status(Number(req.query.code)).json({ ok: true })
}

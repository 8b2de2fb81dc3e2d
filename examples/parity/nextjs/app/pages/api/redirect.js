export default function handler(req, res) {
  const { mode, status } = req.query
  const to = typeof req.query.to === 'string' ? req.query.to : undefined
  switch (mode) {
    case 'absolute': return res.redirect('https://example.com/target?q=1')
    case 'absolute-301': return res.redirect(301, 'https://example.com/target?q=1')
    case 'string-status': return res.redirect('301')
    case 'no-url': return res.redirect(301)
    case 'non-ascii': return res.redirect('/日本')
  }
  if (status === undefined) return res.redirect(to ?? '/api/echo')
  const n = Number(status)
  return res.redirect(n, to ?? ([301, 302, 303, 307, 308].includes(n) ? '/api/echo' : '/x'))
}

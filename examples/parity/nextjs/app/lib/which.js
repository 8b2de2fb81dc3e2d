export default function which(file) {
  return function handler(req, res) {
    res.status(200).json({ which: file, query: req.query })
  }
}

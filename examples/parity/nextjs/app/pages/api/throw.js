export default function handler(req, res) {
  throw new Error('boom')
}

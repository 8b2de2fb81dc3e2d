export default async function handler(req, res) {
  await Promise.resolve()
  throw new Error('boom-async')
}

export const config = { api: { externalResolver: true } }

export default function handler(req, res) {}

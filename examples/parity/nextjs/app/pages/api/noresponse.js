export default function handler(req, res) {}

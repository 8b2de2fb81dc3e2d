// An App Router route handler that exports GET and POST only.
export async function GET() {
  return Response.json({ method: 'GET' })
}

export async function POST() {
  return Response.json({ method: 'POST' })
}

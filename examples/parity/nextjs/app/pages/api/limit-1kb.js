import echo from '../../lib/echo'

export const config = { api: { bodyParser: { sizeLimit: '1kb' } } }

export default echo

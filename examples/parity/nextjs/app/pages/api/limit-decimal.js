import echo from '../../lib/echo'

export const config = { api: { bodyParser: { sizeLimit: '1.5kb' } } }

export default echo

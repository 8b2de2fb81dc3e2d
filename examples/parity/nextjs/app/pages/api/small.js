import echo from '../../lib/echo'

export const config = { api: { bodyParser: { sizeLimit: '100b' } } }

export default echo

import big from '../../lib/big'

export const config = { api: { responseLimit: false } }

export default big

import big from '../../lib/big'

export const config = { api: { responseLimit: '8mb' } }

export default big

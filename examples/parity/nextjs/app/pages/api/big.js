import big from '../../lib/big'

export default big

import echo from '../../lib/echo'

export default echo

import which from '../../../lib/which'

export default which('post/[...slug].js')

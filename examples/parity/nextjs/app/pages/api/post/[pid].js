import which from '../../../lib/which'

export default which('post/[pid].js')

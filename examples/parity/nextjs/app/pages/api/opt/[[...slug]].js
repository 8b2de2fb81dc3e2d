import which from '../../../lib/which'

export default which('opt/[[...slug]].js')

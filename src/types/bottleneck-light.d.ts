/** The light build of bottleneck (no Redis clustering), the one @octokit/plugin-throttling uses; same API. */
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}

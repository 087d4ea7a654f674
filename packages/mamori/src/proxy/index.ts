export {
  startProxy,
  resolveClientIp,
  DEFAULT_PROXY_LIMITS,
  type ProxyLimits,
  type ProxyExchange,
  type UpstreamAnswer,
  type ResponseChange,
  type ProxyHooks,
  type ProxyOptions,
  type RunningProxy,
  type DoneInfo,
  type ClientErrorInfo,
} from './http-proxy.js';
export { resolveForwarding, normalizeIp, type Forwarding } from './client-ip.js';
export { HOP_BY_HOP, stripHopByHop, connectionTokens } from './hop-by-hop.js';

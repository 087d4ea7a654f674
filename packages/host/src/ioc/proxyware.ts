/**
 * mamori's own indicators for proxyware and residential-proxy clients: the
 * "bandwidth sharing" programs that, installed by malware or by a bundled
 * installer, turn a company machine into a relay for other people's traffic.
 *
 * Only what public reports name: the services' own domains and the process
 * names of their Linux clients. No hashes and no IP addresses: the clients
 * are updated often and the services' addresses change, so such values would
 * be guesses by the time anyone reads this. Each entry cites its reports.
 * The two process names were also checked against how the services
 * themselves install their Linux clients: Peer2Profit's `.deb` installs a
 * `p2pclient` started as `p2pclient --login EMAIL`, and PacketStream's image
 * `packetstream/psclient` runs `/app/psclient`.
 * These are not malware in themselves: a hit says "this host sells its
 * bandwidth", which on a server or a company PC someone should have decided.
 */
import type { IndicatorKind } from './indicator.js';
import type { IocMatcherBuilder } from './matcher.js';

export interface ProxywareReport {
  readonly title: string;
  readonly publisher: string;
  readonly year: number;
  readonly url: string;
}

export const PROXYWARE_REPORTS = {
  talos2021: {
    // The post of 31 August 2021 by Edmund Brumaghin and Vitor Ventura, as Talos's Threat Source newsletter of 2 September 2021 introduces it.
    title: 'Talos blog post on proxyware (internet-sharing applications) abused by malware, Edmund Brumaghin and Vitor Ventura, 31 August 2021',
    publisher: 'Cisco Talos',
    year: 2021,
    url: 'http://blog.talosintelligence.com/2021/09/threat-source-newsletter-sept-2-2021.html',
  },
  techtarget2021: {
    title: 'Beware of proxyware: Connection-sharing services pose risks (on the Cisco Talos research)',
    publisher: 'TechTarget SearchSecurity',
    year: 2021,
    url: 'https://www.techtarget.com/searchsecurity/news/252506113/Beware-of-proxyware-Connection-sharing-services-pose-risks',
  },
  trendmicro2023: {
    title: 'Hijacking Your Bandwidth: How Proxyware Apps Open You Up to Risk',
    publisher: 'Trend Micro',
    year: 2023,
    url: 'https://www.trendmicro.com/en_us/research/23/b/hijacking-your-bandwidth-how-proxyware-apps-open-you-up-to-risk.html',
  },
  akamai2023: {
    title: 'Proxyjacking: The Latest Cybercriminal Side Hustle',
    publisher: 'Akamai Security Intelligence Group',
    year: 2023,
    url: 'https://www.akamai.com/blog/security-research/proxyjacking-new-campaign-cybercriminal-side-hustle',
  },
  sysdig2023: {
    title: 'Proxyjacking has Entered the Chat',
    publisher: 'Sysdig Threat Research Team',
    year: 2023,
    url: 'https://sysdig.com/blog/proxyjacking-attackers-log4j-exploited/',
  },
} as const satisfies Record<string, ProxywareReport>;

export type ProxywareReportId = keyof typeof PROXYWARE_REPORTS;

export interface ProxywareIndicator {
  readonly kind: IndicatorKind;
  readonly value: string;
  /** The service or SDK. */
  readonly service: string;
  readonly what: string;
  readonly reports: readonly ProxywareReportId[];
}

/** The source name the shipped set carries in hits. */
export const PROXYWARE_SOURCE = 'mamori:proxyware';

export const PROXYWARE_INDICATORS: readonly ProxywareIndicator[] = Object.freeze([
  { kind: 'domain', value: 'honeygain.com', service: 'Honeygain', what: "the service's own domain", reports: ['talos2021', 'techtarget2021', 'trendmicro2023'] },
  { kind: 'domain', value: 'peer2profit.com', service: 'Peer2Profit', what: "the service's own domain", reports: ['talos2021', 'techtarget2021', 'akamai2023'] },
  { kind: 'domain', value: 'packetstream.io', service: 'PacketStream', what: "the service's own domain", reports: ['talos2021', 'sysdig2023'] },
  { kind: 'domain', value: 'iproyal.com', service: 'IPRoyal Pawns', what: "the provider's own domain", reports: ['talos2021', 'trendmicro2023'] },
  { kind: 'domain', value: 'pawns.app', service: 'IPRoyal Pawns', what: "the client's own domain", reports: ['talos2021', 'trendmicro2023'] },
  { kind: 'file-name', value: 'p2pclient', service: 'Peer2Profit', what: 'the Linux client run by proxyjacking campaigns', reports: ['akamai2023'] },
  { kind: 'file-name', value: 'psclient', service: 'PacketStream', what: 'the Linux client (its container image packetstream/psclient) run by proxyjacking campaigns', reports: ['sysdig2023'] },
]);

/** Adds the shipped set to a matcher builder, under the source `mamori:proxyware`. */
export function addProxywareIndicators(builder: IocMatcherBuilder): number {
  let n = 0;
  for (const i of PROXYWARE_INDICATORS) if (builder.add(i.kind, i.value, PROXYWARE_SOURCE)) n++;
  return n;
}

/** The entry and its reports behind a hit from the shipped set. */
export function proxywareEntry(kind: string, value: string): (ProxywareIndicator & { cited: ProxywareReport[] }) | undefined {
  const e = PROXYWARE_INDICATORS.find((i) => i.kind === kind && i.value === value);
  return e ? { ...e, cited: e.reports.map((r) => PROXYWARE_REPORTS[r]) } : undefined;
}

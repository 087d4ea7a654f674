/**
 * Name mapping between the feeds, as data: for each product a user names, the names each
 * feed gives it. NVD and CVE 5 ADPs use CPE vendor:product pairs; CVE 5 CNAs and KEV use
 * words, which change over the years (Pulse Secure became Ivanti, Citrix ADC became NetScaler
 * ADC) and differ from record to record; OSV uses ecosystem package names; WordPress plugins
 * are known by their slug. The NetScaler editions are separate products: a FIPS appliance
 * has its own fixed builds. Each entry says where its names were seen.
 */
import type { AssetType } from '../model.js';

export interface ProductSpec {
  /** The canonical name, as `mamori vuln check` prints it. */
  readonly name: string;
  /** Other ways users write it (compared case-insensitively, spaces collapsed). */
  readonly aliases: readonly string[];
  readonly types: readonly AssetType[];
  /** The version grammar (versions/builtins.ts). */
  readonly grammar: string;
  /** NVD / CPE `vendor:product` pairs. */
  readonly cpe: readonly string[];
  /** CPE sw_edition the product is (`fips`); absent: the standard edition (`-`). */
  readonly edition?: string;
  /** CPE target_sw the product runs in (`wordpress` for plugins). */
  readonly targetSw?: string;
  /** `h:` CPEs that are this product's own hardware, so an AND configuration requiring them holds. */
  readonly platforms?: readonly string[];
  /** CVE 5 `vendor|product` pairs (lower case). */
  readonly cve5: readonly string[];
  /** CVE 5 pairs that name the product on some hardware only, with what that hardware is. */
  readonly cve5OnlyOn?: Readonly<Record<string, string>>;
  /** KEV `vendorProject|product` pairs (lower case). */
  readonly kev: readonly string[];
  /** OSV `ecosystem:name` (npm packages are mapped by name without an entry). */
  readonly osv?: readonly string[];
  /** Where these names were seen. */
  readonly seen: string;
}

const netscalerAdc = (name: string, edition: string | undefined, extra: readonly string[]): ProductSpec => ({
  name,
  aliases: extra,
  types: ['appliance'],
  grammar: 'netscaler',
  cpe: ['citrix:netscaler_application_delivery_controller', 'citrix:application_delivery_controller_firmware'],
  ...(edition ? { edition } : {}),
  platforms: ['citrix:application_delivery_controller'],
  cve5: ['citrix|netscaler adc', 'netscaler|adc', 'citrix|citrix adc', 'citrix|application delivery controller'],
  kev: ['citrix|netscaler adc and gateway', 'citrix|netscaler adc and netscaler gateway', 'citrix|application delivery controller (adc), gateway, and sd-wan wanop appliance', 'citrix|application delivery controller (adc) and gateway'],
  seen: 'nvd CVE-2023-4966 configurations[0].nodes[0].cpeMatch[0..5] (sw_edition fips, ndcpp, -); nvd CVE-2019-19781 configurations[0]; cve5 CVE-2023-4966 affected[0] (Citrix|NetScaler ADC); cve5 CVE-2025-5777 affected[0] (NetScaler|ADC); kev CVE-2025-5777, CVE-2023-4966, CVE-2019-19781',
});

export const PRODUCTS: readonly ProductSpec[] = [
  {
    name: 'FortiOS',
    aliases: ['fortinet fortios', 'fortigate', 'fortios ssl-vpn'],
    types: ['appliance'],
    grammar: 'fortios',
    cpe: ['fortinet:fortios'],
    cve5: ['fortinet|fortios', 'fortinet|fortinet fortios, fortiproxy'],
    cve5OnlyOn: { 'fortinet|fortios-6k7k': 'FortiGate 6000 and 7000 series' },
    kev: ['fortinet|fortios', 'fortinet|fortios and fortiproxy ssl-vpn', 'fortinet|fortios and fortiproxy', 'fortinet|fortios and fortiadc', 'fortinet|multiple products'],
    seen: 'kev CVE-2022-40684, CVE-2024-23113 (Fortinet|Multiple Products), CVE-2018-13374 (FortiOS and FortiADC); nvd CVE-2018-13379, CVE-2023-27997 (o:fortinet:fortios); cve5 CVE-2023-27997 affected[0] (FortiOS-6K7K), affected[2] (FortiOS); cve5 CVE-2018-13379 affected[0] (Fortinet FortiOS, FortiProxy); kev CVE-2018-13379, CVE-2023-27997',
  },
  {
    name: 'FortiProxy',
    aliases: ['fortinet fortiproxy'],
    types: ['appliance'],
    grammar: 'fortios',
    cpe: ['fortinet:fortiproxy'],
    cve5: ['fortinet|fortiproxy', 'fortinet|fortinet fortios, fortiproxy'],
    kev: ['fortinet|fortios and fortiproxy ssl-vpn', 'fortinet|fortios and fortiproxy', 'fortinet|multiple products'],
    seen: 'nvd CVE-2018-13379, CVE-2023-27997 (a:fortinet:fortiproxy); cve5 CVE-2023-27997 affected[1]',
  },
  {
    name: 'Ivanti Connect Secure',
    aliases: ['connect secure', 'ics', 'pulse connect secure', 'pulse secure connect secure', 'ivanti ics'],
    types: ['appliance'],
    grammar: 'ivanti',
    cpe: ['ivanti:connect_secure', 'pulsesecure:pulse_connect_secure'],
    cve5: ['ivanti|ics', 'ivanti|connect secure', 'ivanti|ivanti connect secure', 'pulse secure|pulse connect secure'],
    kev: ['ivanti|pulse connect secure', 'pulse secure|pulse connect secure', 'ivanti|connect secure and policy secure', 'ivanti|connect secure, policy secure, and zta gateways', 'ivanti|connect secure, policy secure, and neurons', 'ivanti|pulse connect secure and pulse policy secure'],
    seen: 'kev CVE-2024-21893 (Connect Secure, Policy Secure, and Neurons); nvd CVE-2019-11510, CVE-2024-21887 (a:ivanti:connect_secure, versions as 9.1:r11.4); cve5 CVE-2024-21887, CVE-2023-46805 affected[0] (Ivanti|ICS); kev CVE-2019-11510 (Ivanti|Pulse Connect Secure), CVE-2024-21887 (Ivanti|Connect Secure and Policy Secure)',
  },
  {
    name: 'Ivanti Policy Secure',
    aliases: ['policy secure', 'ips', 'pulse policy secure'],
    types: ['appliance'],
    grammar: 'ivanti',
    cpe: ['ivanti:policy_secure', 'pulsesecure:pulse_policy_secure'],
    cve5: ['ivanti|ips', 'ivanti|policy secure'],
    kev: ['ivanti|connect secure and policy secure', 'ivanti|connect secure, policy secure, and zta gateways', 'ivanti|connect secure, policy secure, and neurons', 'ivanti|pulse connect secure and pulse policy secure'],
    seen: 'nvd CVE-2024-21887 cpeMatch[44..80] (a:ivanti:policy_secure); cve5 CVE-2024-21887 affected[1] (Ivanti|IPS)',
  },
  netscalerAdc('NetScaler ADC', undefined, ['citrix adc', 'netscaler', 'citrix netscaler adc', 'netscaler adc standard']),
  netscalerAdc('NetScaler ADC FIPS', 'fips', ['citrix adc fips', 'netscaler fips']),
  netscalerAdc('NetScaler ADC NDcPP', 'ndcpp', ['citrix adc ndcpp', 'netscaler ndcpp']),
  {
    name: 'NetScaler Gateway',
    aliases: ['citrix gateway', 'citrix netscaler gateway'],
    types: ['appliance'],
    grammar: 'netscaler',
    cpe: ['citrix:netscaler_gateway', 'citrix:netscaler_gateway_firmware', 'citrix:gateway_firmware'],
    platforms: ['citrix:netscaler_gateway', 'citrix:gateway'],
    cve5: ['citrix|netscaler gateway', 'netscaler|gateway', 'citrix|citrix gateway'],
    kev: ['citrix|netscaler adc and gateway', 'citrix|netscaler adc and netscaler gateway', 'citrix|application delivery controller (adc), gateway, and sd-wan wanop appliance', 'citrix|application delivery controller (adc) and gateway'],
    seen: 'nvd CVE-2023-4966 cpeMatch[6..8], CVE-2019-19781 configurations[1..2]; cve5 CVE-2023-4966 affected[1], CVE-2025-5777 affected[1]',
  },
  {
    name: 'PAN-OS',
    aliases: ['palo alto pan-os', 'panos', 'palo alto networks pan-os'],
    types: ['appliance'],
    grammar: 'panos',
    cpe: ['paloaltonetworks:pan-os'],
    cve5: ['palo alto networks|pan-os', 'paloaltonetworks|pan-os'],
    kev: ['palo alto networks|pan-os'],
    seen: 'cve5 CVE-2024-3400 affected[0] (Palo Alto Networks|PAN-OS), adp CISA-ADP (cpe:2.3:o:paloaltonetworks:pan-os); kev CVE-2024-3400',
  },
  {
    name: 'wp-file-manager',
    aliases: ['file manager', 'wp file manager', 'file-manager'],
    types: ['wordpress-plugin'],
    grammar: 'wordpress',
    cpe: ['webdesi9:file_manager'],
    targetSw: 'wordpress',
    cve5: [],
    kev: ['wordpress|file manager plugin'],
    seen: 'nvd CVE-2020-25213 cpeMatch[0] (a:webdesi9:file_manager, target_sw wordpress); kev CVE-2020-25213 (WordPress|File Manager Plugin); the slug is the plugin directory on wordpress.org',
  },
  {
    name: 'really-simple-ssl',
    aliases: ['really simple security', 'really simple ssl'],
    types: ['wordpress-plugin'],
    grammar: 'wordpress',
    cpe: ['really-simple-plugins:really_simple_security'],
    targetSw: 'wordpress',
    cve5: ['rogierlankhorst|really simple security – simple and performant security (formerly really simple ssl)', 'really simple plugins|really simple security pro', 'really simple plugins|really simple security pro multisite'],
    kev: [],
    seen: 'cve5 CVE-2024-10924 affected[0..2] (CNA: Wordfence), adp CISA-ADP affected[0] (cpe really-simple-plugins:really_simple_security)',
  },
  {
    name: 'WordPress',
    aliases: ['wordpress core'],
    types: ['wordpress'],
    grammar: 'wordpress',
    cpe: ['wordpress:wordpress'],
    cve5: ['wordpress|wordpress', 'wordpress foundation|wordpress'],
    kev: [],
    seen: 'NVD names WordPress core a:wordpress:wordpress',
  },
];

/**
 * PAN-OS: the hotfix that fixes a CVE in each maintenance release, as Palo Alto Networks
 * lists it in its advisory. A CVE 5 range such as `10.2.0 <= v < 10.2.9-h1` cannot say that
 * `10.2.8-h3` is fixed too; this list can. The ranges of the records stay in the evidence.
 */
export interface PanosFixes {
  /** The vendor's advisory, and where else the list was checked. */
  readonly source: string;
  /** Maintenance release → the first fixed hotfix in it. */
  readonly fixed: Readonly<Record<string, string>>;
  /** Feature releases the advisory covers; others were not affected. */
  readonly trains: readonly string[];
}

export const PANOS_FIXES: Readonly<Record<string, PanosFixes>> = {
  'CVE-2024-3400': {
    source: 'https://security.paloaltonetworks.com/CVE-2024-3400 (fixed versions; also listed in the KEV entry notes and in national CERT notices of April 2024)',
    trains: ['10.2', '11.0', '11.1'],
    fixed: {
      '10.2.0': '10.2.0-h3',
      '10.2.1': '10.2.1-h2',
      '10.2.2': '10.2.2-h5',
      '10.2.3': '10.2.3-h13',
      '10.2.4': '10.2.4-h16',
      '10.2.5': '10.2.5-h6',
      '10.2.6': '10.2.6-h3',
      '10.2.7': '10.2.7-h8',
      '10.2.8': '10.2.8-h3',
      '10.2.9': '10.2.9-h1',
      '11.0.0': '11.0.0-h3',
      '11.0.1': '11.0.1-h4',
      '11.0.2': '11.0.2-h4',
      '11.0.3': '11.0.3-h10',
      '11.0.4': '11.0.4-h1',
      '11.1.0': '11.1.0-h3',
      '11.1.1': '11.1.1-h1',
      '11.1.2': '11.1.2-h3',
    },
  },
};

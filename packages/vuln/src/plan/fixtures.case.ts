/** Findings and assets written by hand for the plan's tests: only what a test sets differs. */
import type { Asset, Finding } from '../model.js';

export function finding(over: Partial<Finding> & { asset: string; cve: string }): Finding {
  return { product: 'p', version: '1.0', status: 'affected', reason: '1.0 is below the fix 1.1', sources: [{ feed: 'nvd', id: over.cve }], ...over };
}

export function asset(name: string, over: Partial<Asset> = {}): Asset {
  return { name, type: 'appliance', product: 'p', version: '1.0', exposure: 'internet', criticality: 'medium', owner: 'ops', ...over };
}

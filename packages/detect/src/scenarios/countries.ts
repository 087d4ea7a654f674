/**
 * Approximate centroids (latitude, longitude in degrees) of countries by ISO
 * 3166-1 alpha-2 code, for impossible travel: how far apart two logins' countries
 * are. A centroid is a coarse stand-in for where a user is, so the travel
 * scenario only fires on speeds far above an airliner's; a country missing
 * here gives no distance and no alert.
 */
const CENTROIDS: Readonly<Record<string, readonly [number, number]>> = {
  AD: [42.5, 1.5], AE: [24, 54], AF: [33, 66], AL: [41, 20], AM: [40, 45], AO: [-12.5, 18.5], AR: [-34, -64], AT: [47.3, 13.3],
  AU: [-25, 134], AZ: [40.5, 47.5], BA: [44, 18], BD: [24, 90], BE: [50.8, 4], BG: [43, 25], BH: [26, 50.5], BO: [-17, -65],
  BR: [-10, -55], BY: [53, 28], CA: [60, -96], CD: [-2.5, 23.5], CH: [47, 8], CI: [7.5, -5.5], CL: [-30, -71], CM: [6, 12],
  CN: [35, 103], CO: [4, -72], CR: [10, -84], CU: [21.5, -80], CY: [35, 33], CZ: [49.75, 15.5], DE: [51, 9], DK: [56, 10],
  DO: [19, -70.7], DZ: [28, 3], EC: [-2, -77.5], EE: [59, 26], EG: [27, 30], ES: [40, -4], ET: [8, 38], FI: [64, 26],
  FR: [46, 2], GB: [54, -2], GE: [42, 43.5], GH: [8, -2], GR: [39, 22], GT: [15.5, -90.25], HK: [22.3, 114.2], HN: [15, -86.5],
  HR: [45.2, 15.5], HU: [47, 20], ID: [-5, 120], IE: [53, -8], IL: [31.5, 34.75], IN: [22, 79], IQ: [33, 44], IR: [32, 53],
  IS: [65, -18], IT: [42.8, 12.8], JM: [18.25, -77.5], JO: [31, 36], JP: [36, 138], KE: [1, 38], KG: [41, 75], KH: [13, 105],
  KR: [37, 127.5], KW: [29.3, 47.7], KZ: [48, 68], LA: [18, 105], LB: [33.8, 35.8], LK: [7, 81], LT: [56, 24], LU: [49.75, 6.2],
  LV: [57, 25], LY: [25, 17], MA: [32, -5], MD: [47, 29], ME: [42.5, 19.3], MG: [-20, 47], MK: [41.8, 22], MM: [22, 98],
  MN: [46, 105], MO: [22.2, 113.5], MT: [35.9, 14.4], MU: [-20.3, 57.6], MX: [23, -102], MY: [2.5, 112.5], MZ: [-18.25, 35],
  NA: [-22, 17], NG: [10, 8], NI: [13, -85], NL: [52.5, 5.75], NO: [62, 10], NP: [28, 84], NZ: [-41, 174], OM: [21, 57],
  PA: [9, -80], PE: [-10, -76], PH: [13, 122], PK: [30, 70], PL: [52, 20], PR: [18.25, -66.5], PT: [39.5, -8], PY: [-23, -58],
  QA: [25.5, 51.25], RO: [46, 25], RS: [44, 21], RU: [60, 100], RW: [-2, 30], SA: [25, 45], SD: [15, 30], SE: [62, 15],
  SG: [1.37, 103.8], SI: [46.1, 14.8], SK: [48.7, 19.5], SN: [14, -14], SV: [13.8, -88.9], SY: [35, 38], TH: [15, 100],
  TJ: [39, 71], TM: [40, 60], TN: [34, 9], TR: [39, 35], TT: [11, -61], TW: [23.5, 121], TZ: [-6, 35], UA: [49, 32],
  UG: [1, 32], US: [38, -97], UY: [-33, -56], UZ: [41, 64], VE: [8, -66], VN: [16, 106], YE: [15, 48], ZA: [-29, 24],
  ZM: [-15, 30], ZW: [-20, 30],
};

/** The great-circle distance between two countries' centroids in km, or undefined when either is unknown. */
export function countryDistanceKm(a: string, b: string): number | undefined {
  const p = CENTROIDS[a.toUpperCase()];
  const q = CENTROIDS[b.toUpperCase()];
  if (!p || !q) return undefined;
  return haversineKm(p[0], p[1], q[0], q[1]);
}

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r;
  const dLon = (lon2 - lon1) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function knownCountry(code: string): boolean {
  return CENTROIDS[code.toUpperCase()] !== undefined;
}

/**
 * A tiny MMDB (MaxMind DB format 2.0) writer, for test fixtures only: an
 * IPv6 search tree (IPv4 networks live under ::/96), 24-bit records, and a
 * data section holding strings, unsigned integers, doubles, booleans,
 * arrays and maps. No pointers, no deduplication, no size optimisation.
 * Written from the format specification (maxmind.github.io/MaxMind-DB).
 *
 * Example:
 *   writeMmdb('GeoLite2-Country', [{ network: '192.0.2.0/24', record: { country: { iso_code: 'JP' } } }]);
 */
import { parseCidr } from '../../core/net.js';

export type MmdbValue = string | number | boolean | bigint | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  network: string;
  record: MmdbValue;
}

const T_STRING = 2;
const T_DOUBLE = 3;
const T_UINT32 = 6;
const T_MAP = 7;
const T_UINT64 = 9;
const T_ARRAY = 11;
const T_BOOLEAN = 14;

function control(type: number, size: number): Buffer {
  const ext: number[] = [];
  let bits: number;
  if (size < 29) bits = size;
  else if (size < 285) {
    bits = 29;
    ext.push(size - 29);
  } else if (size < 65_821) {
    bits = 30;
    const s = size - 285;
    ext.push(s >> 8, s & 255);
  } else {
    bits = 31;
    const s = size - 65_821;
    ext.push((s >> 16) & 255, (s >> 8) & 255, s & 255);
  }
  // Extended types: type bits 0, then a byte holding type - 7, then the size bytes.
  const head = type <= 7 ? [(type << 5) | bits] : [bits, type - 7];
  return Buffer.from([...head, ...ext]);
}

function unsigned(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 255n));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

export function encodeValue(v: MmdbValue): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([control(T_STRING, b.length), b]);
  }
  if (typeof v === 'boolean') return control(T_BOOLEAN, v ? 1 : 0);
  if (typeof v === 'bigint') return unsigned(T_UINT64, v);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return unsigned(T_UINT32, BigInt(v));
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return Buffer.concat([control(T_DOUBLE, 8), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([control(T_ARRAY, v.length), ...v.map(encodeValue)]);
  const entries = Object.entries(v);
  return Buffer.concat([control(T_MAP, entries.length), ...entries.flatMap(([k, x]) => [encodeValue(k), encodeValue(x)])]);
}

interface TreeNode {
  children: [TreeNode | number | undefined, TreeNode | number | undefined];
  id: number;
}

function bitAt(words: readonly number[], i: number): 0 | 1 {
  return (((words[i >> 5] ?? 0) >>> (31 - (i & 31))) & 1) as 0 | 1;
}

/** Builds an MMDB file. Networks must not overlap. */
export function writeMmdb(databaseType: string, networks: readonly MmdbNetwork[], buildEpoch = 1_767_225_600n): Buffer {
  const root: TreeNode = { children: [undefined, undefined], id: 0 };
  const data: Buffer[] = [];
  let dataLen = 0;
  for (const n of networks) {
    const cidr = parseCidr(n.network);
    const depth = cidr.version === 4 ? 96 + cidr.prefix : cidr.prefix;
    if (depth === 0) throw new Error('a network of prefix 0 is not supported');
    const encoded = encodeValue(n.record);
    const offset = dataLen;
    data.push(encoded);
    dataLen += encoded.length;
    let node = root;
    for (let i = 0; i < depth - 1; i++) {
      const b = bitAt(cidr.words, i);
      let next = node.children[b];
      if (next === undefined) {
        next = { children: [undefined, undefined], id: 0 };
        node.children[b] = next;
      }
      if (typeof next === 'number') throw new Error(`${n.network} overlaps another network`);
      node = next;
    }
    const last = bitAt(cidr.words, depth - 1);
    if (node.children[last] !== undefined) throw new Error(`${n.network} overlaps another network`);
    node.children[last] = offset;
  }
  // Number the nodes breadth first.
  const order: TreeNode[] = [];
  const queue: TreeNode[] = [root];
  while (queue.length > 0) {
    const node = queue.shift()!;
    node.id = order.length;
    order.push(node);
    for (const c of node.children) if (typeof c === 'object') queue.push(c);
  }
  const nodeCount = order.length;
  const tree = Buffer.alloc(nodeCount * 6);
  order.forEach((node, i) => {
    node.children.forEach((c, side) => {
      const value = c === undefined ? nodeCount : typeof c === 'number' ? nodeCount + 16 + c : c.id;
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    });
  });
  const metadata = encodeValue({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: buildEpoch,
    description: { en: 'mamori test fixture' },
  });
  const marker = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
  return Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
}

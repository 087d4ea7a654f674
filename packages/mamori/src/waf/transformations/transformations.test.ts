import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_TRANSFORMATIONS, transformationRegistry } from './builtins.js';

const T = BUILTIN_TRANSFORMATIONS;
/** A byte string from bytes. */
const b = (...bytes: number[]) => String.fromCharCode(...bytes);

/** [transformation, input, expected output]. */
const CASES: [string, string, string][] = [
  ['urlDecode', 'a%20b+c%2', 'a b c%2'],
  ['urlDecode', '%41%4a%4A%zz%', 'AJJ%zz%'],
  ['urlDecode', '%u0041', '%u0041'],
  ['urlDecode', '%00%ff', b(0, 0xff)],
  ['urlDecodeUni', '%u0041%U0042', 'AB'],
  ['urlDecodeUni', '%uff0e%uFF0F', './'],
  ['urlDecodeUni', '%u2215', b(0x15)],
  ['urlDecodeUni', '%u004%41', '%u004A'],
  ['urlEncode', 'a b&c*', 'a+b%26c*'],
  ['jsDecode', '\\x41\\u0042\\103\\n\\q\\\\', 'ABC\nq\\'],
  ['jsDecode', '\\uff1c\\u003c', '<<'],
  ['jsDecode', '\\u12', 'u12'],
  ['jsDecode', '\\U0041\\X41', 'U0041X41'],
  ['jsDecode', '\\400', ' 0'],
  ['jsDecode', 'end\\', 'end\\'],
  ['cssDecode', '\\6a\\61 vascript', 'javascript'],
  ['cssDecode', '\\00ff1c\\ff1c', '<<'],
  ['cssDecode', '\\000041x', 'Ax'],
  ['cssDecode', 'a\\\nb\\z\\', 'abz'],
  ['cssDecode', '\\1234567', 'V7'],
  ['escapeSeqDecode', '\\x41\\101\\n\\q\\"', 'AA\nq"'],
  ['escapeSeqDecode', '\\xZ1', 'xZ1'],
  ['htmlEntityDecode', '&lt;script&GT;&#x41;&#66&quot&nbsp;', `<script>AB"${b(0xa0)}`],
  ['htmlEntityDecode', '&#;&#x;&foo;&amp', '&#;&#x;&foo;&'],
  ['htmlEntityDecode', '&#x4141;&#99999999999999999999;', `A${b(0xff)}`],
  ['lowercase', `ABC${b(0xc4)}`, `abc${b(0xc4)}`],
  ['uppercase', 'abc', 'ABC'],
  ['removeWhitespace', `a b\tc\n${b(0xa0)}d`, 'abcd'],
  ['compressWhitespace', `a  b\t\tc${b(0xa0)}d e`, 'a b c d e'],
  ['trim', ' \t a b \n', 'a b'],
  ['trimLeft', '  a ', 'a '],
  ['trimRight', '  a ', '  a'],
  ['removeNulls', b(97, 0, 98), 'ab'],
  ['replaceNulls', b(97, 0, 98), 'a b'],
  ['replaceComments', 'UN/**/ION SEL/*x*/ECT/*open', 'UN ION SEL ECT '],
  ['removeComments', 'UN/**/ION<!-- x -->SEL -- rest', 'UNIONSEL '],
  ['removeComments', 'a#b', 'a'],
  ['removeCommentsChar', 'a/*b*/c<!--d-->e--f#g', 'abcdefg'],
  ['cmdLine', 'C^at "/etc/pass\'w\'d" ; ls , -la\\', 'cat/etc/passwd ls -la'],
  ['cmdLine', 'echo  (  x )', 'echo( x )'],
  ['normalizePath', '/a//b/./c/../d/', '/a/b/d/'],
  ['normalizePath', '/../../etc/passwd', '/etc/passwd'],
  ['normalizePath', '../x/./../../y', '../../y'],
  ['normalizePath', 'a/b/..', 'a/'],
  ['normalizePathWin', 'C:\\a\\..\\b', 'C:/b'],
  ['utf8toUnicode', `a${b(0xc3, 0xa9)}b${b(0xe2, 0x82, 0xac)}${b(0xf0, 0x9f, 0x98, 0x80)}`, 'a%u00e9b%u20ac%u1f600'],
  ['utf8toUnicode', `${b(0xc0, 0xaf)}${b(0xc3)}x${b(0x80)}`, `%u002f${b(0xc3)}x${b(0x80)}`],
  ['base64Decode', 'PD9waHA=', '<?php'],
  ['base64Decode', 'YWJj!ZGVm', 'abc'],
  ['base64DecodeExt', 'YW Jj.ZG-V', 'abcdo\x95'],
  ['base64Encode', 'abc', 'YWJj'],
  ['hexEncode', b(0, 0xab), '00ab'],
  ['hexDecode', '4142z43', 'ABzC'],
  ['sqlHexDecode', 'select 0x414243, 0x', 'select ABC, 0x'],
  ['length', 'abcd', '4'],
  ['sha1', 'abc', Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex').toString('latin1')],
  ['md5', '', Buffer.from('d41d8cd98f00b204e9800998ecf8427e', 'hex').toString('latin1')],
];

test('each transformation, on the cases it is documented by', () => {
  let ran = 0;
  for (const [name, input, expected] of CASES) {
    const t = T[name];
    assert.ok(t, `no transformation ${name}`);
    assert.equal(t(input), expected, `${name}(${JSON.stringify(input)})`);
    ran++;
  }
  assert.equal(ran, CASES.length);
  // Every built-in one has at least one case.
  const covered = new Set(CASES.map(([n]) => n));
  for (const name of Object.keys(T)) if (!name.startsWith('normalise')) assert.ok(covered.has(name), `${name} has a case`);
});

test('the registry finds them whatever the case of the name, and refuses unknown ones', () => {
  const r = transformationRegistry();
  assert.equal(r.get('base64decode'), T.base64Decode);
  assert.equal(r.get('urldecodeuni'), T.urlDecodeUni);
  assert.throws(() => r.get('rot13'), /no transformation is named "rot13"/);
});

test('hostile inputs: every transformation takes any bytes, large ones too, and gives bytes back', () => {
  let seed = 7;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const special = '%u\\x&#;/*-<!-#0 .\n';
  const inputs: string[] = [];
  for (let k = 0; k < 200; k++) {
    let s = '';
    const n = rand() % 64;
    for (let i = 0; i < n; i++) s += rand() % 2 ? special[rand() % special.length] : String.fromCharCode(rand() % 256);
    inputs.push(s);
  }
  // Large inputs made of the characters each decoder looks at.
  for (const unit of ['%', '%u', '\\', '\\u', '&#', '&#x', '/*', '<!--', '../', '\\0', '0x', '\xc3']) inputs.push(unit.repeat(Math.ceil(200_000 / unit.length)));
  let ran = 0;
  for (const [name, t] of Object.entries(T)) {
    for (const input of inputs) {
      const out = t(input);
      assert.equal(typeof out, 'string');
      for (let i = 0; i < out.length; i++) if (out.charCodeAt(i) > 255) assert.fail(`${name} gave a character past a byte`);
      ran++;
    }
  }
  assert.equal(ran, Object.keys(T).length * inputs.length);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from './xml.js';

test('XML: texts and attribute values, references decoded, CDATA read, comments skipped', () => {
  const r = parseXml('<?xml version="1.0"?><!-- c --><a x="1&amp;2"><b>it&apos;s</b> <c y=\'&#x3c;script&#62;\'/><![CDATA[<svg onload=x>]]>tail&foo;</a>');
  assert.equal(r.error, undefined);
  assert.deepEqual(r.texts, ["it's", '<svg onload=x>', 'tail&foo;']);
  assert.deepEqual(r.attributes, [
    ['x', '1&2'],
    ['y', '<script>'],
  ]);
  assert.equal(r.declaresEntities, false);
  assert.equal(parseXml("<a>' o<!--z-->r 1<b/>=<![CDATA[1]]>--</a>").content, "' or 1=1--");
  assert.deepEqual(parseXml('<a>&#233;</a>').texts, ['\xc3\xa9']);
  assert.deepEqual(r.elementTexts, [
    ['b', "it's"],
    ['a', '<svg onload=x>'],
    ['a', 'tail&foo;'],
  ], 'each text with the element it sits in');
});

test('XML: entity declarations flagged and never expanded; malformed documents are errors', () => {
  const xxe = parseXml('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd"> <!ENTITY y "a>b">]><r>&x;</r>');
  assert.equal(xxe.declaresEntities, true);
  assert.deepEqual(xxe.texts, ['&x;']);
  // An external DTD (fetched by readers that load DTDs, and free to declare any entity) is flagged alike; a DOCTYPE without one is not.
  assert.equal(parseXml('<!DOCTYPE r SYSTEM "http://evil.example/x.dtd"><r/>').declaresEntities, true);
  assert.equal(parseXml("<!DOCTYPE r PUBLIC '-//x//y' 'http://evil.example/x.dtd'><r/>").declaresEntities, true);
  assert.equal(parseXml('<!DOCTYPE r [<!ELEMENT r (#PCDATA)>]><r>SYSTEM</r>').declaresEntities, false);
  const bad: [string, RegExp][] = [
    ['<a><b></a>', /does not match/],
    ['<a>', /not closed/],
    ['<a x=1/>', /not quoted/],
    ['<a/><b/>', /second root/],
    ['text', /outside the root/],
    ['<a><!-- x</a>', /comment/],
    ['', /no root/],
    ['<a>' + '<b>'.repeat(300) + '</b>'.repeat(300) + '</a>', /deeper than 256/],
  ];
  for (const [xml, re] of bad) assert.match(parseXml(xml).error ?? '(none)', re, xml.slice(0, 40));
  assert.match(parseXml('<a>' + '<b/>'.repeat(200) + '</a>', 100).error ?? '', /more than 100 nodes/);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXmlRpcCall, parseXmlRpcResponse, phpTrim, structMembers, XmlRpcError } from './xmlrpc.js';

const call = (method: string, params: string) => `<?xml version="1.0"?>\n<methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`;
const str = (s: string) => `<param><value><string>${s}</string></value></param>`;

describe('XML-RPC reader', () => {
  it('reads calls with typed and untyped values, entities and character references', () => {
    const c = parseXmlRpcCall(call(' wp.getUsersBlogs\n', `${str('admin')}<param><value>p&amp;ss&#x21;&#33;</value></param><param><value><int> 7 </int></value></param>`));
    assert.equal(c.method, 'wp.getUsersBlogs', 'the method name is trimmed, as servers do');
    assert.deepEqual(c.params, ['admin', 'p&ss!!', 7]);
    const nested = parseXmlRpcCall(
      call('system.multicall', '<param><value><array><data><value><struct><member><name>methodName</name><value><string>a.b</string></value></member><member><name>params</name><value><array><data><value><boolean>1</boolean></value></data></array></value></member></struct></value></data></array></value></param>'),
    );
    const first = (nested.params[0] as unknown[])[0];
    assert.equal(structMembers(first as never)?.get('methodName'), 'a.b');
    assert.deepEqual(structMembers(first as never)?.get('params'), [true]);
    assert.deepEqual(parseXmlRpcCall('<methodCall><methodName>x</methodName></methodCall>').params, []);
    assert.deepEqual(parseXmlRpcCall('<methodCall><methodName>x</methodName><params/></methodCall>').params, []);
    assert.deepEqual(parseXmlRpcCall(call('x', '<param><value><string/></value></param><param><value><string> a b\t</string></value></param><param><value> c </value></param>')).params, ['', 'a b', ' c '], 'strings trimmed as IXR trims them, untyped values not');
    assert.equal(phpTrim('\u00a0 x \u0000'), '\u00a0 x', "PHP's trim, not JavaScript's");
  });

  it('refuses everything outside plain XML-RPC, with where', () => {
    const bad: [string, RegExp][] = [
      ['<!DOCTYPE x [<!ENTITY a "admin">]><methodCall><methodName>x</methodName></methodCall>', /markup other than a plain element/],
      [call('x', '<param><value><string>&a;</string></value></param>'), /the entity "&a;"/],
      [call('x', '<param><value><string><![CDATA[admin]]></string></value></param>'), /missing <\/string>/],
      [call('x', '<!-- c -->' + str('a')), /markup|where <param>/],
      [call('x', '<param><value><string a="1">admin</string></value></param>'), /markup other than a plain element/],
      [call('x', '<param><value><foo>1</foo></value></param>'), /the value type <foo>/],
      [call('x', '<param><value>ab<string>c</string></value></param>'), /missing <\/value>/],
      [call('x', '<param><value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param>'), /"a" twice/],
      ['<?xml version="1.0" encoding="ISO-8859-1"?><methodCall><methodName>x</methodName></methodCall>', /the encoding "iso-8859-1"/],
      ['\ufeff<methodCall><methodName>x</methodName></methodCall>', /byte-order mark/],
      [call('x', str('a')) + '<x/>', /content after the document/],
      [call('x', '<param><value><int>1e3</int></value></param>'), /the integer/],
      [call('x', '<param><value><string>&#0;</string></value></param>'), /forbids/],
      [call('x', str('a & b')), /bare "&"/],
      ['<methodResponse/>', /the root/],
      // What WordPress's IXR drops, moving the params after it:
      [call('x', '<param><value/></param>' + str('a')), /an empty <value\/>/],
      [call('x', '<param><value>  \n </value></param>' + str('a')), /an empty untyped <value>/],
      [call('x', '<param><value><nil/></value></param>' + str('a')), /the value type <nil>/],
      [call('x', '<param><value><i8>1</i8></value></param>' + str('a')), /the value type <i8>/],
    ];
    for (const [text, re] of bad) assert.throws(() => parseXmlRpcCall(text), (e: unknown) => e instanceof XmlRpcError && re.test(e.message) && /at character \d+/.test(e.message), text);
  });

  it('bounds nesting and size', () => {
    const deep = '<value><array><data>'.repeat(40) + '</data></array></value>'.repeat(40);
    assert.throws(() => parseXmlRpcCall(call('x', `<param>${deep}</param>`)), /nesting too deep/);
    const many = str('a').repeat(100_001);
    assert.throws(() => parseXmlRpcCall(call('x', many)), /too many elements/);
  });

  it('reads answers: params, faults, and multicall results', () => {
    const ok = parseXmlRpcResponse('<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data></data></array></value></param></params></methodResponse>');
    assert.deepEqual(ok, { params: [[]] });
    const fault = parseXmlRpcResponse(
      '<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>403</int></value></member><member><name>faultString</name><value><string>Incorrect username or password.</string></value></member></struct></value></fault></methodResponse>',
    );
    assert.deepEqual(fault, { fault: { code: 403, message: 'Incorrect username or password.' } });
    assert.equal(parseXmlRpcResponse('<html>no</html>'), undefined);
    assert.equal(parseXmlRpcResponse('<methodResponse><params></params></methodResponse><x/>'), undefined);
  });
});
